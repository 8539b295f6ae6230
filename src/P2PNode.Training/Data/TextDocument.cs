namespace P2PNode.Training.Data;

/// <summary>Where one source file's text sits in a <see cref="TextCorpus"/> (byte offset and length).</summary>
public sealed record TextDocument(string Source, int Offset, int Length);
