namespace P2PNode.Training.Trainer;

/// <summary>Token ids held in memory (tests, small corpora, and the byte text of the legacy LM task).</summary>
public sealed class ArrayTokenStream(int[] ids) : ITokenStream
{
    public static ArrayTokenStream FromBytes(ReadOnlySpan<byte> bytes)
    {
        var ids = new int[bytes.Length];
        for (var i = 0; i < ids.Length; i++) ids[i] = bytes[i];
        return new ArrayTokenStream(ids);
    }

    public long Length => ids.Length;

    public void Read(long start, Span<long> destination)
    {
        var source = ids.AsSpan(checked((int)start), destination.Length);
        for (var i = 0; i < source.Length; i++) destination[i] = source[i];
    }
}
