using P2PNode.Wire;
using P2PNode.Wire.Gossip;

namespace P2PNode.Overlay.Sim;

/// <summary>What crossed the simulated network and what was delivered, for one run.</summary>
internal sealed class SimTraffic
{
    internal sealed class Published(long time, int origin)
    {
        public long Time { get; } = time;
        public int Origin { get; } = origin;
        public HashSet<int> Receivers { get; } = [];
    }

    public Dictionary<MessageId, Published> Messages { get; } = [];
    public List<int> Hops { get; } = [];
    public List<long> Latencies { get; } = [];
    public long PayloadCopies, PayloadBytes, BroadcastControlBytes, MembershipBytes;
    public long Lost, NotConnected, DroppedAtReceiver, Offences, DuplicateDeliveries;
    public Dictionary<MessageType, long> MessagesByType { get; } = [];

    public void Count(WireMessage message, int frameBytes)
    {
        MessagesByType[message.Type] = MessagesByType.GetValueOrDefault(message.Type) + 1;
        switch (message)
        {
            case GossipMessage:
                PayloadCopies++;
                PayloadBytes += frameBytes;
                break;
            case IHave or Graft or Prune:
                BroadcastControlBytes += frameBytes;
                break;
            default:
                MembershipBytes += frameBytes;
                break;
        }
    }

    public void Delivered(SimNode node, GossipDelivery d, long now)
    {
        if (!Messages.TryGetValue(d.Id, out var m)) return;
        if (!m.Receivers.Add(node.Index))
        {
            DuplicateDeliveries++;
            return;
        }
        Hops.Add((int)d.Hops);
        Latencies.Add(now - m.Time);
    }
}
