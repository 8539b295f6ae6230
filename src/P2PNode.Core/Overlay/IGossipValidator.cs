namespace P2PNode.Overlay;

/// <summary>
/// The application's verdict on a message whose signature has been verified, asked before the message is
/// delivered or forwarded. Called synchronously on the overlay's thread: keep it cheap (bounds checks,
/// ledger lookups); heavy work belongs after delivery.
/// </summary>
public interface IGossipValidator
{
    ValidationResult Validate(GossipDelivery message);
}
