namespace P2PNode.Wire;

/// <summary>
/// First frame each side sends after the Noise handshake. <see cref="PeerId"/> must equal the identity proven
/// in the handshake. <see cref="ObservedAddress"/> is where the sender sees the receiver connecting from (or
/// the dialled address), which lets a node learn its external address.
/// </summary>
public sealed record Hello(
    uint VersionMajor,
    uint VersionMinor,
    string PeerId,
    IReadOnlyList<string> ListenAddresses,
    IReadOnlyList<string> Capabilities,
    string Agent,
    string ObservedAddress) : WireMessage
{
    public override MessageType Type => MessageType.Hello;

    public bool Equals(Hello? other) =>
        other is not null && VersionMajor == other.VersionMajor && VersionMinor == other.VersionMinor &&
        PeerId == other.PeerId && ListenAddresses.SequenceEqual(other.ListenAddresses) &&
        Capabilities.SequenceEqual(other.Capabilities) && Agent == other.Agent && ObservedAddress == other.ObservedAddress;

    public override int GetHashCode() => HashCode.Combine(VersionMajor, VersionMinor, PeerId, Agent);
}
