using System.Buffers.Binary;

namespace P2PNode.Training.State;

/// <summary>A parsed safetensors file: metadata, tensor entries in data order, and the raw data section.</summary>
public sealed class SafetensorsFile
{
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>Entries sorted by their begin offset (the order of the data).</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors { get; }
    public ReadOnlyMemory<byte> Data { get; }

    internal SafetensorsFile(IReadOnlyDictionary<string, string> metadata, IReadOnlyList<SafetensorsTensor> tensors, byte[] data)
    {
        Metadata = metadata;
        Tensors = tensors;
        Data = data;
    }

    /// <summary>The values of an F32 tensor (little-endian on disk).</summary>
    public float[] ReadF32(string name)
    {
        var t = Tensors.FirstOrDefault(x => x.Name == name) ?? throw new CheckpointException($"safetensors: no tensor named '{name}'");
        if (t.Dtype != "F32") throw new CheckpointException($"safetensors: tensor '{name}' has dtype {t.Dtype}, expected F32");
        var bytes = Data.Span[(int)t.Begin..(int)t.End];
        var values = new float[bytes.Length / 4];
        for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
        return values;
    }
}
