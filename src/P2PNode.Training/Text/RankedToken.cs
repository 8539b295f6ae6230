namespace P2PNode.Training.Text;

/// <summary>A regular token of a byte-level BPE vocabulary: its bytes and its rank (which is also its id).</summary>
internal readonly record struct RankedToken(byte[] Bytes, int Rank);
