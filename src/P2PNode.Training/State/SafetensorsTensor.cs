namespace P2PNode.Training.State;

/// <summary>One header entry of a safetensors file: data_offsets are [Begin, End) relative to the data section.</summary>
public sealed record SafetensorsTensor(string Name, string Dtype, long[] Shape, long Begin, long End);
