namespace P2PNode.Overlay;

/// <summary>How a node forwards a new broadcast message.</summary>
public enum BroadcastMode
{
    /// <summary>Eager push along a spanning tree, lazy IHAVE to the other neighbours, GRAFT/PRUNE repair.</summary>
    Plumtree,

    /// <summary>Every new message to every neighbour but the sender: the baseline Plumtree is measured against.</summary>
    Flood,
}
