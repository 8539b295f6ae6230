using P2PNode.Identity;
using P2PNode.Wire;

namespace P2PNode.Overlay;

/// <summary>
/// Everything an <see cref="OverlayNode"/> does to the world. The node calls these synchronously from inside
/// its On* methods; the driver (OverlayService on a real NodeHost, the simulator in tests) carries them out.
/// Implementations must not call back into the node from inside these methods.
/// </summary>
public interface IOverlaySink
{
    /// <summary>Queue a message to a connected peer (dropped when not connected: the node copes).</summary>
    void Send(PeerId peer, WireMessage message);

    /// <summary>Open a connection; the driver answers with OnConnected, or OnDisconnected if it fails.</summary>
    void Connect(PeerId peer, string address);

    /// <summary>The overlay no longer needs this connection (or cancels a dial): the driver closes it. The node
    /// already treats it as gone, so the driver does not report OnDisconnected for it.</summary>
    void Disconnect(PeerId peer);

    /// <summary>A verified, validated message of a subscribed topic, delivered once per id.</summary>
    void Deliver(GossipDelivery delivery);

    /// <summary>A peer sent something invalid (counted in metrics already). Peer scoring plugs in here.</summary>
    void Offence(PeerId peer, OverlayOffence offence);
}
