using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Wire;

namespace P2PNode.Overlay.Sim;

/// <summary>One simulated node: the real <see cref="OverlayNode"/>, with the simulated network as its sink.</summary>
internal sealed class SimNode : IOverlaySink
{
    private readonly SimNetwork _network;

    public SimNode(SimNetwork network, int index, NodeIdentity identity, OverlayOptions options, int seed)
    {
        _network = network;
        Index = index;
        Identity = identity;
        Node = new OverlayNode(identity, $"sim:{index}", options, this, Metrics, new Random(seed));
    }

    public int Index { get; }
    public NodeIdentity Identity { get; }
    public PeerId Id => Identity.PeerId;
    public string Address => Node.Address;
    public OverlayNode Node { get; }
    public NodeMetrics Metrics { get; } = new();
    public bool Alive { get; set; }
    public long JoinedAt { get; set; } = long.MaxValue;
    public long LeftAt { get; set; } = long.MaxValue;

    /// <summary>Links that are up at this end, by peer.</summary>
    public Dictionary<PeerId, SimLink> Links { get; } = [];

    /// <summary>Dials this node asked for and that have not resolved, by peer (the token identifies the attempt).</summary>
    public Dictionary<PeerId, object> Dialing { get; } = [];

    public void Send(PeerId peer, WireMessage message) => _network.Send(this, peer, message);
    public void Connect(PeerId peer, string address) => _network.Connect(this, peer, address);
    public void Disconnect(PeerId peer) => _network.Disconnect(this, peer);
    public void Deliver(GossipDelivery delivery) => _network.Traffic.Delivered(this, delivery, _network.Clock.Now);
    public void Offence(PeerId peer, OverlayOffence offence) => _network.Traffic.Offences++;
}
