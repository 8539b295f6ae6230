using System.Collections;
using P2PNode.Training.Data;

namespace P2PNode.Training.Text;

/// <summary>
/// A corpus streamed as <see cref="CorpusSegment"/>s, never a whole file in memory. Files and folders are taken
/// in the order given; a folder's files (recursively) in ordinal path order, so every node reads the same
/// sequence. Enumerating again re-reads the files and gives the same segments.
/// </summary>
public sealed class CorpusReader : IEnumerable<CorpusSegment>
{
    /// <summary>A plain-text document is delivered in segments of at most this many UTF-8 bytes.</summary>
    public const int SegmentBytes = 1 << 20;

    /// <summary>HTML files are read whole and JSONL lines are parsed whole: neither may exceed this (decompressed).</summary>
    public const int MaxDocumentBytes = 64 << 20;

    /// <summary>Taken from folders, each optionally followed by .gz; a file named explicitly is read whatever its name.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".txt", ".md", ".text", ".html", ".htm", ".xhtml", ".jsonl"];

    private readonly int _segmentBytes;
    private readonly int _maxDocumentBytes;

    /// <param name="segmentBytes">Segment size (tests use small ones).</param>
    /// <param name="maxDocumentBytes">Limit for an HTML file or a JSONL line (tests use small ones).</param>
    public CorpusReader(IEnumerable<string> paths, int segmentBytes = SegmentBytes, int maxDocumentBytes = MaxDocumentBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentBytes, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDocumentBytes, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDocumentBytes, 1 << 30);
        (_segmentBytes, _maxDocumentBytes) = (segmentBytes, maxDocumentBytes);
        Paths = [.. paths];
        var files = new List<string>();
        var skipped = new List<string>();
        foreach (var path in Paths)
        {
            if (File.Exists(path)) files.Add(path);
            else if (Directory.Exists(path))
            {
                foreach (var file in ListFolder(path))
                    (IsCorpusName(file) ? files : skipped).Add(file);
            }
            else throw new DatasetFormatException(path, "no such file or directory");
        }
        if (files.Count == 0) throw new DatasetFormatException(string.Join(", ", Paths), $"no text found (no file with a corpus extension; {skipped.Count} other files skipped)");
        Files = files;
        SkippedFiles = skipped;
    }

    public IReadOnlyList<string> Paths { get; }

    /// <summary>The files read, in reading order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Files inside the folders that were left out for their extension.</summary>
    public IReadOnlyList<string> SkippedFiles { get; }

    public IEnumerator<CorpusSegment> GetEnumerator()
    {
        var anyText = false;
        foreach (var file in Files)
            foreach (var segment in Documents(file))
            {
                anyText |= segment.Text.Length > 0;
                yield return segment;
            }
        if (!anyText) throw new DatasetFormatException(string.Join(", ", Paths), $"no text found ({Files.Count} files, all empty)");
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerable<CorpusSegment> Documents(string file)
    {
        var name = file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? file[..^3] : file;
        if (HasExtension(name, ".html", ".htm", ".xhtml")) return CorpusDocuments.Html(file, _maxDocumentBytes, _segmentBytes);
        if (HasExtension(name, ".jsonl")) return CorpusDocuments.Jsonl(file, _maxDocumentBytes, _segmentBytes);
        return CorpusDocuments.Plain(file, _segmentBytes);
    }

    private static IEnumerable<string> ListFolder(string folder)
    {
        try { return Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetFormatException(folder, $"cannot list the folder ({e.Message})", e);
        }
    }

    private static bool IsCorpusName(string file)
    {
        var name = file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? file[..^3] : file;
        return HasExtension(name, [.. Extensions]);
    }

    private static bool HasExtension(string name, params string[] extensions) =>
        extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));
}
