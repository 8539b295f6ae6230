using System.Text.Json;
using P2PNode.Training.Data;

namespace P2PNode.Training.Text;

/// <summary>The documents in one corpus file, by kind: plain text (one document), HTML (one), JSONL (one per line).</summary>
internal static class CorpusDocuments
{
    /// <summary>One document streamed in segments of at most <paramref name="segmentBytes"/>, cut after a line end
    /// (or, inside a longer line, between two characters).</summary>
    public static IEnumerable<CorpusSegment> Plain(string path, int segmentBytes)
    {
        using var file = new Utf8FileReader(path);
        var buffer = new byte[segmentBytes];
        var filled = 0;
        var line = 1L;
        CorpusSegment? pending = null;
        while (true)
        {
            filled += file.Fill(buffer.AsSpan(filled));
            if (filled == 0) break;
            var atEnd = filled < buffer.Length;
            var cut = atEnd ? filled : CutPoint(buffer.AsSpan(0, filled));
            var text = file.Decode(buffer.AsSpan(0, cut), line);
            var lines = Utf8FileReader.CountLines(buffer.AsSpan(0, cut));
            buffer.AsSpan(cut, filled - cut).CopyTo(buffer);
            filled -= cut;
            if (pending is not null) yield return pending;
            pending = new CorpusSegment(path, line, text, false);
            line += lines;
            if (atEnd) break;
        }
        if (pending is not null) yield return pending with { EndsDocument = true };
    }

    /// <summary>One document: the page's readable text (<see cref="HtmlText.Strip"/>), read whole.</summary>
    public static IEnumerable<CorpusSegment> Html(string path, int maxBytes, int segmentChars)
    {
        string text;
        using (var file = new Utf8FileReader(path)) text = HtmlText.Strip(file.Decode(file.ReadAll(maxBytes), 1));
        return Segments(path, 1, text, segmentChars);
    }

    /// <summary>One document per non-blank line: a JSON object whose "text" is a string.</summary>
    public static IEnumerable<CorpusSegment> Jsonl(string path, int maxLineBytes, int segmentChars)
    {
        using var file = new Utf8FileReader(path);
        var buffer = new byte[Math.Min(1 << 20, maxLineBytes + 1)];
        int start = 0, filled = 0;
        var line = 1L;
        var atEnd = false;
        while (true)
        {
            var newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n');
            if (newline < 0 && !atEnd)
            {
                if (filled - start > maxLineBytes) throw new DatasetFormatException(path, $"line {line}: longer than {Utf8FileReader.Size(maxLineBytes)}");
                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                (filled, start) = (filled - start, 0);
                if (filled == buffer.Length) Array.Resize(ref buffer, Math.Min(buffer.Length * 2, maxLineBytes + 2));
                var n = file.Fill(buffer.AsSpan(filled));
                filled += n;
                atEnd = filled < buffer.Length;
                continue;
            }
            var length = newline >= 0 ? newline : filled - start;
            if (length > maxLineBytes) throw new DatasetFormatException(path, $"line {line}: longer than {Utf8FileReader.Size(maxLineBytes)}");
            var text = DocumentText(file, buffer.AsSpan(start, length), line);
            foreach (var segment in Segments(path, line, text, segmentChars)) yield return segment;
            start += length + 1;
            line++;
            if (newline < 0) break;
        }
    }

    private static string DocumentText(Utf8FileReader file, ReadOnlySpan<byte> bytes, long line)
    {
        var json = file.Decode(bytes, line);
        if (string.IsNullOrWhiteSpace(json)) return "";
        JsonDocument document;
        try { document = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new DatasetFormatException(file.Path, $"line {line}: not valid JSON ({e.Message})", e); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new DatasetFormatException(file.Path, $"line {line}: a JSON {Kind(root)}, not an object with a \"text\" field");
            if (!root.TryGetProperty("text", out var text)) throw new DatasetFormatException(file.Path, $"line {line}: the object has no \"text\" field");
            if (text.ValueKind != JsonValueKind.String) throw new DatasetFormatException(file.Path, $"line {line}: \"text\" is a {Kind(text)}, not a string");
            return text.GetString()!;
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        var k => k.ToString().ToLowerInvariant(),
    };

    private static IEnumerable<CorpusSegment> Segments(string path, long line, string text, int segmentChars)
    {
        string? pending = null;
        foreach (var piece in TextPieces.Split(text, segmentChars))
        {
            if (pending is not null) yield return new CorpusSegment(path, line, pending, false);
            pending = piece;
        }
        if (pending is not null) yield return new CorpusSegment(path, line, pending, true);
    }

    /// <summary>After the last line end; without one, before the last character that is not complete.</summary>
    private static int CutPoint(ReadOnlySpan<byte> bytes)
    {
        var newline = bytes.LastIndexOf((byte)'\n');
        if (newline >= 0) return newline + 1;
        var lead = bytes.Length - 1;
        while (lead > 0 && bytes.Length - lead < 4 && (bytes[lead] & 0xC0) == 0x80) lead--;
        var b = bytes[lead];
        var length = b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        return lead + length <= bytes.Length || lead == 0 ? bytes.Length : lead;
    }
}
