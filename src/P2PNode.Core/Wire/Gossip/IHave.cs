using MessagePack;

namespace P2PNode.Wire.Gossip;

/// <summary>Plumtree IHAVE (lazy push): ids of messages the sender has, with the hop count each would have on
/// arrival. A receiver missing one waits a little for the eager copy, then sends <see cref="Graft"/>.</summary>
public sealed record IHave(IReadOnlyList<IHaveEntry> Entries) : WireMessage
{
    public override MessageType Type => MessageType.IHave;
    public override int FieldCount => 1;

    public override void WriteFields(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(Entries.Count);
        var id = new byte[MessageId.Length];
        foreach (var e in Entries)
        {
            w.WriteArrayHeader(2);
            e.Id.WriteTo(id);
            w.Write(id);
            w.Write(e.Hops);
        }
    }

    public static IHave Read(ref MessagePackReader r)
    {
        var n = Fields.ReadArrayHeader(ref r, GossipLimits.MaxAnnouncedIds, "ihave.entries");
        var entries = new IHaveEntry[n];
        for (var i = 0; i < n; i++)
        {
            var name = $"ihave.entries[{i}]";
            var k = Fields.ReadArrayHeader(ref r, 8, name);
            if (k < 2) throw new WireFormatException($"{name} has {k} items, needs 2");
            entries[i] = new IHaveEntry(GossipFields.ReadId(ref r, $"{name}.id"), Fields.ReadUInt(ref r, $"{name}.hops"));
            for (var j = 2; j < k; j++) r.Skip();
        }
        return new IHave(entries);
    }

    public bool Equals(IHave? other) => other is not null && Entries.SequenceEqual(other.Entries);
    public override int GetHashCode() => Entries.Count;
}
