namespace P2PNode.Wire.Gossip;

/// <summary>One announcement in <see cref="IHave"/>: a message id and the hop count it would arrive with.</summary>
public readonly record struct IHaveEntry(MessageId Id, uint Hops);
