namespace P2PNode.Training.Text;

/// <summary>
/// A piece of one document's text. A document is the concatenation of its segments, the last of which has
/// <see cref="EndsDocument"/> set. <see cref="FirstLine"/> is the 1-based line of <see cref="Source"/> where the
/// text begins (HTML: 1; JSONL: the line holding the document), for error messages and provenance.
/// </summary>
public sealed record CorpusSegment(string Source, long FirstLine, string Text, bool EndsDocument);
