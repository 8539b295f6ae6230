using MessagePack;

namespace P2PNode.Wire.Relay;

/// <summary>
/// The reservation is held until <see cref="ExpiresUnixMs"/> (renew before, with another ReserveRequest) and
/// only while the session it was made on lives. <see cref="RelayedAddress"/> is the relay's suggestion of the
/// address others dial ("relay:&lt;relay id&gt;@&lt;relay address&gt;/&lt;your id&gt;"); the limits tell the
/// reserving node what each circuit may carry.
/// </summary>
public sealed record ReserveOk(ulong ExpiresUnixMs, string RelayedAddress, ulong CircuitMaxBytes, uint CircuitMaxSeconds, uint MaxCircuits) : WireMessage
{
    public override MessageType Type => MessageType.ReserveOk;
    public override int FieldCount => 5;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(ExpiresUnixMs);
        w.Write(RelayedAddress);
        w.Write(CircuitMaxBytes);
        w.Write(CircuitMaxSeconds);
        w.Write(MaxCircuits);
    }

    public static ReserveOk Read(ref MessagePackReader r) => new(
        Fields.ReadUInt64(ref r, "reserve_ok.expires_unix_ms"),
        Fields.ReadString(ref r, WireLimits.MaxAddressLength, "reserve_ok.relayed_address"),
        Fields.ReadUInt64(ref r, "reserve_ok.circuit_max_bytes"),
        Fields.ReadUInt(ref r, "reserve_ok.circuit_max_seconds"),
        Fields.ReadUInt(ref r, "reserve_ok.max_circuits"));
}
