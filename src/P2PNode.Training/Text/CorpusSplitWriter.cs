using System.Text;

namespace P2PNode.Training.Text;

/// <summary>
/// Pass 2 of <see cref="TokenizedCorpus.Build"/>: walks the corpus text (documents each followed by "\n\n"),
/// cuts it at line starts — the end of the kept training text, the start of the held-out tail and, when the corpus is
/// capped, the end of what is used — and tokenizes each piece into its token file. A piece never crosses a cut, so
/// no token spans one.
/// </summary>
internal sealed class CorpusSplitWriter(TextTokenizer tokenizer, long trainTarget, long heldOutTarget, long? endTarget, TokenFileWriter train, TokenFileWriter heldOut)
{
    private enum Part { Train, Dropped, HeldOut, End }

    private Part _part = Part.Train;
    private bool _afterNewline = true; // position 0 is a line start

    public long Position { get; private set; }
    public long TrainBytes { get; private set; }
    public long HeldOutBytes { get; private set; }
    public long HeldOutStart { get; private set; } = -1;

    public void Add(string text)
    {
        var from = 0;
        while (from < text.Length)
        {
            long? target = _part switch { Part.Train => trainTarget, Part.Dropped => heldOutTarget, Part.HeldOut => endTarget, _ => null };
            var cut = target is { } t ? FindLineStart(text, from, t) : -1;
            Emit(text[from..(cut < 0 ? text.Length : cut)]);
            if (cut < 0) break;
            from = cut;
            _part++;
            if (_part == Part.HeldOut) HeldOutStart = Position;
        }
        _afterNewline = text.Length > 0 ? text[^1] == '\n' : _afterNewline;
    }

    /// <summary>Char index of the first line start at or after byte <paramref name="target"/>, searching from
    /// <paramref name="from"/> to the end of <paramref name="text"/> (exclusive: the end is the next text's start).</summary>
    private int FindLineStart(string text, int from, long target)
    {
        var position = Position;
        var lineStart = from == 0 ? _afterNewline : text[from - 1] == '\n';
        for (var i = from; i < text.Length;)
        {
            if (lineStart && position >= target) return i;
            var newline = text.IndexOf('\n', i);
            if (newline < 0) return -1;
            position += Encoding.UTF8.GetByteCount(text.AsSpan(i, newline + 1 - i));
            (i, lineStart) = (newline + 1, true);
        }
        return -1;
    }

    private void Emit(string piece)
    {
        if (piece.Length == 0) return;
        var bytes = Encoding.UTF8.GetByteCount(piece);
        Position += bytes;
        switch (_part)
        {
            case Part.Train: train.Write(tokenizer.Encode(piece)); TrainBytes += bytes; break;
            case Part.HeldOut: heldOut.Write(tokenizer.Encode(piece)); HeldOutBytes += bytes; break;
        }
    }
}
