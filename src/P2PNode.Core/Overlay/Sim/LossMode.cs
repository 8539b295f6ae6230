namespace P2PNode.Overlay.Sim;

/// <summary>What a lost transmission does in the simulator (see <see cref="SimOptions.LossMode"/>).</summary>
public enum LossMode
{
    Retransmit,
    Drop,
}
