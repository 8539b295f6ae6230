namespace P2PNode.Training.Trainer;

/// <summary>Token ids of one stretch of text (a node's training part or its held-out part), read a window at a time;
/// backed by an array or by a memory-mapped file, so a corpus larger than memory trains.</summary>
public interface ITokenStream
{
    /// <summary>Number of tokens.</summary>
    long Length { get; }

    /// <summary>Copies the ids at [start, start + destination.Length) into <paramref name="destination"/>.</summary>
    void Read(long start, Span<long> destination);
}
