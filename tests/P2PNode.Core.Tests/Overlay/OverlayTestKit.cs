using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Overlay;
using P2PNode.Wire;

namespace P2PNode.Core.Tests.Overlay;

/// <summary>An <see cref="IOverlaySink"/> that records what the node asked for, to drive one node as a pure
/// state machine in tests.</summary>
internal sealed class RecordingSink : IOverlaySink
{
    public List<(PeerId Peer, WireMessage Message)> Sent { get; } = [];
    public List<(PeerId Peer, string Address)> Connects { get; } = [];
    public List<PeerId> Disconnects { get; } = [];
    public List<GossipDelivery> Deliveries { get; } = [];
    public List<(PeerId Peer, OverlayOffence Offence)> Offences { get; } = [];

    public void Send(PeerId peer, WireMessage message) => Sent.Add((peer, message));
    public void Connect(PeerId peer, string address) => Connects.Add((peer, address));
    public void Disconnect(PeerId peer) => Disconnects.Add(peer);
    public void Deliver(GossipDelivery delivery) => Deliveries.Add(delivery);
    public void Offence(PeerId peer, OverlayOffence offence) => Offences.Add((peer, offence));

    public List<T> SentOf<T>(PeerId? to = null) where T : WireMessage =>
        Sent.Where(s => s.Message is T && (to is null || s.Peer == to)).Select(s => (T)s.Message).ToList();

    public void Clear()
    {
        Sent.Clear();
        Connects.Clear();
        Disconnects.Clear();
        Deliveries.Clear();
        Offences.Clear();
    }
}

/// <summary>One node under test plus the identities of its (simulated) peers.</summary>
internal sealed class OverlayHarness : IDisposable
{
    public const long T0 = 1_700_000_000_000;
    public const string Topic = "run/test";
    private readonly List<NodeIdentity> _owned = [];

    public OverlayHarness(OverlayOptions? options = null, IGossipValidator? validator = null)
    {
        Identity = Key(200);
        Node = new OverlayNode(Identity, "10.0.0.200:7700", options ?? new OverlayOptions(), Sink, Metrics, new Random(7), validator);
        Node.Subscribe(Topic);
    }

    public NodeIdentity Identity { get; }
    public OverlayNode Node { get; }
    public RecordingSink Sink { get; } = new();
    public NodeMetrics Metrics { get; } = new();

    public NodeIdentity Key(int i)
    {
        var id = NodeIdentity.FromPrivateKey(Enumerable.Repeat((byte)i, 32).ToArray());
        _owned.Add(id);
        return id;
    }

    public List<T> SentOf<T>(PeerId? to = null) where T : WireMessage => Sink.SentOf<T>(to);

    public static string AddressOf(int i) => $"10.0.0.{i}:7700";

    /// <summary>Makes peer i an active neighbour the way the protocol does: it connects and asks (high priority).</summary>
    public PeerId AddNeighbor(int i, long now = T0)
    {
        var peer = Key(i).PeerId;
        Node.OnConnected(peer, now);
        Node.OnMessage(peer, new P2PNode.Wire.Gossip.Neighbor(true, AddressOf(i)), now);
        return peer;
    }

    public void Dispose()
    {
        foreach (var id in _owned) id.Dispose();
    }
}
