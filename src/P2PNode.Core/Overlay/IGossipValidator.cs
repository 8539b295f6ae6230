using P2PNode.Identity;

namespace P2PNode.Overlay;

/// <summary>
/// The application's verdict on a message whose signature has been verified, asked before the message is
/// delivered or forwarded. Called synchronously on the overlay's thread: keep it cheap (bounds checks,
/// ledger lookups); heavy work belongs after delivery.
/// </summary>
public interface IGossipValidator
{
    ValidationResult Validate(GossipDelivery message);

    /// <summary>
    /// The stateless part of validation (decoding, signatures, hashes), run by <see cref="OverlayService"/> before it
    /// takes the overlay's lock, on the receiving session's thread, for a message whose signature verified and whose
    /// id was not seen yet: the result reaches <see cref="Validate"/> as <see cref="GossipDelivery.Prepared"/>. It may
    /// run for a copy that turns out to be a duplicate; it must not change state. Default: nothing prepared.
    /// </summary>
    object? Prepare(string topic, PeerId origin, byte[] payload) => null;
}
