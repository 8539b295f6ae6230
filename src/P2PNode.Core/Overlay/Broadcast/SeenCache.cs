using P2PNode.Identity;
using P2PNode.Wire.Gossip;

namespace P2PNode.Overlay.Broadcast;

/// <summary>
/// Ids of accepted (or rejected-after-verification) messages with a TTL, for dedup; the full message is kept
/// for a shorter TTL to answer GRAFTs. Entries are added with a non-decreasing clock and one TTL, so two FIFO
/// queues give expiry order without a heap. A hard capacity drops the oldest first.
/// </summary>
internal sealed class SeenCache(long ttlMs, long messageTtlMs, int capacity)
{
    internal sealed class Entry
    {
        public uint Hops;
        public PeerId? From;
        public GossipMessage? Message;
        public bool Optimized;
        public long ReceivedAt;
    }

    private readonly Dictionary<MessageId, Entry> _map = [];
    private readonly Queue<(long Expires, MessageId Id)> _expiry = new();
    private readonly Queue<(long Expires, MessageId Id)> _messageExpiry = new();

    public int Count => _map.Count;

    public bool TryGet(MessageId id, out Entry entry) => _map.TryGetValue(id, out entry!);

    public Entry Add(MessageId id, uint hops, PeerId? from, GossipMessage? message, long now)
    {
        var entry = new Entry { Hops = hops, From = from, Message = message, ReceivedAt = now };
        _map[id] = entry;
        _expiry.Enqueue((now + ttlMs, id));
        if (message is not null) _messageExpiry.Enqueue((now + messageTtlMs, id));
        while (_map.Count > capacity && _expiry.TryDequeue(out var oldest)) _map.Remove(oldest.Id);
        return entry;
    }

    /// <summary>Ids (and hops) of cached messages received at or after <paramref name="since"/>, oldest first.</summary>
    public List<(MessageId Id, uint Hops)> RecentMessages(long since, int max)
    {
        var list = new List<(MessageId, uint)>();
        foreach (var (_, id) in _messageExpiry)
        {
            if (_map.TryGetValue(id, out var e) && e.Message is not null && e.ReceivedAt >= since) list.Add((id, e.Hops));
        }
        return list.Count <= max ? list : list.GetRange(list.Count - max, max);
    }

    public void Expire(long now)
    {
        while (_messageExpiry.TryPeek(out var m) && m.Expires <= now)
        {
            _messageExpiry.Dequeue();
            if (_map.TryGetValue(m.Id, out var e)) e.Message = null;
        }
        while (_expiry.TryPeek(out var x) && x.Expires <= now)
        {
            _expiry.Dequeue();
            _map.Remove(x.Id);
        }
    }
}
