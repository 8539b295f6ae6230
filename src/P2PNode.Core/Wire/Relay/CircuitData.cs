using MessagePack;

namespace P2PNode.Wire.Relay;

/// <summary>Opaque bytes of an open circuit (the two ends' Noise messages). The relay forwards them unchanged
/// to the other leg; at most <see cref="RelayWireLimits.MaxCircuitData"/> bytes each.</summary>
public sealed record CircuitData(ulong CircuitId, byte[] Data) : WireMessage
{
    public override MessageType Type => MessageType.CircuitData;
    public override int FieldCount => 2;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.Write(CircuitId);
        w.Write(Data);
    }

    public static CircuitData Read(ref MessagePackReader r) => new(
        Fields.ReadUInt64(ref r, "circuit_data.circuit_id"),
        Fields.ReadBytes(ref r, RelayWireLimits.MaxCircuitData, "circuit_data.data"));

    public bool Equals(CircuitData? other) => other is not null && CircuitId == other.CircuitId && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(CircuitId, Data.Length);
}
