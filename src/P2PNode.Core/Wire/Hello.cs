using MessagePack;

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
    public override int FieldCount => 7;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(VersionMajor);
        w.Write(VersionMinor);
        w.Write(PeerId);
        Fields.WriteStrings(ref w, ListenAddresses);
        Fields.WriteStrings(ref w, Capabilities);
        w.Write(Agent);
        w.Write(ObservedAddress);
    }

    public static Hello Read(ref MessagePackReader r) => new(
        Fields.ReadUInt(ref r, "hello.version_major"),
        Fields.ReadUInt(ref r, "hello.version_minor"),
        Fields.ReadString(ref r, WireLimits.MaxPeerIdLength, "hello.peer_id"),
        Fields.ReadStrings(ref r, WireLimits.MaxListenAddresses, WireLimits.MaxAddressLength, "hello.listen_addresses"),
        Fields.ReadStrings(ref r, WireLimits.MaxCapabilities, WireLimits.MaxCapabilityLength, "hello.capabilities"),
        Fields.ReadString(ref r, WireLimits.MaxAgentLength, "hello.agent"),
        Fields.ReadString(ref r, WireLimits.MaxAddressLength, "hello.observed_address"));

    public bool Equals(Hello? other) =>
        other is not null && VersionMajor == other.VersionMajor && VersionMinor == other.VersionMinor &&
        PeerId == other.PeerId && ListenAddresses.SequenceEqual(other.ListenAddresses) &&
        Capabilities.SequenceEqual(other.Capabilities) && Agent == other.Agent && ObservedAddress == other.ObservedAddress;

    public override int GetHashCode() => HashCode.Combine(VersionMajor, VersionMinor, PeerId, Agent);
}
