using System.IO.Compression;
using System.Text;

namespace P2PNode.Training.Data;

/// <summary>
/// A byte-level text corpus: UTF-8 bytes of one or more documents, each followed by a blank line ("\n\n").
/// HTML files (.html, .htm, .xhtml) are reduced to their text; .gz files are decompressed first. The byte LM
/// trains on these raw bytes (vocabulary 256), so every language and script works unchanged.
/// </summary>
public sealed class TextCorpus
{
    private static readonly string[] TextExtensions = [".html", ".htm", ".xhtml", ".txt", ".md", ".text"];

    public byte[] Bytes { get; }
    public IReadOnlyList<TextDocument> Documents { get; }

    public TextCorpus(byte[] bytes, IReadOnlyList<TextDocument> documents)
    {
        Bytes = bytes;
        Documents = documents;
    }

    /// <summary>The debian-reference translations installed on this machine (one folder per language), if any.</summary>
    public static IReadOnlyList<string> DebianReferenceDirectories(string docRoot = "/usr/share/doc") =>
        Directory.Exists(docRoot)
            ? Directory.GetDirectories(docRoot, "debian-reference-*").Where(d => !d.EndsWith("-common", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>
    /// Loads files and folders. Folders are searched recursively for text files (extensions .html .htm .xhtml
    /// .txt .md .text, optionally .gz) in ordinal path order, so every node reads the same bytes; binary files
    /// (a NUL byte) found in folders are skipped, while a named binary file is an error. Stops adding documents
    /// once <paramref name="maxBytes"/> is reached (the last one is cut).
    /// </summary>
    public static TextCorpus Load(IEnumerable<string> paths, long maxBytes = int.MaxValue)
    {
        var files = new List<(string Path, bool Explicit)>();
        foreach (var p in paths)
        {
            if (File.Exists(p)) files.Add((p, true));
            else if (Directory.Exists(p))
                files.AddRange(Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories)
                    .Where(IsTextName).Order(StringComparer.Ordinal).Select(f => (f, false)));
            else throw new DatasetFormatException(p, "no such file or directory");
        }
        var output = new MemoryStream();
        var docs = new List<TextDocument>();
        foreach (var (path, isExplicit) in files)
        {
            if (output.Length >= maxBytes) break;
            var text = ReadText(path, isExplicit);
            if (text is null || text.Length == 0) continue;
            var bytes = Encoding.UTF8.GetBytes(text + "\n\n");
            var take = (int)Math.Min(bytes.Length, maxBytes - output.Length);
            docs.Add(new TextDocument(path, (int)output.Length, take));
            output.Write(bytes, 0, take);
        }
        if (output.Length == 0) throw new DatasetFormatException(string.Join(", ", paths), "no text found");
        return new TextCorpus(output.ToArray(), docs);
    }

    /// <summary>Train/held-out split: the last round(fraction·length) bytes of the corpus are held out.</summary>
    public (byte[] Train, byte[] HeldOut) Split(double heldOutFraction)
    {
        if (!(heldOutFraction >= 0 && heldOutFraction < 1)) throw new ArgumentOutOfRangeException(nameof(heldOutFraction));
        var cut = Bytes.Length - (int)Math.Round(heldOutFraction * Bytes.Length);
        return (Bytes[..cut], Bytes[cut..]);
    }

    /// <summary>
    /// Node i of n gets bytes [⌊i·L/n⌋, ⌊(i+1)·L/n⌋): contiguous, disjoint, covering. With one folder per language
    /// loaded in order, nodes get mostly one language each: the "one language per country" non-IID split.
    /// </summary>
    public byte[] PartFor(int node, int nodes)
    {
        if (nodes < 1 || node < 0 || node >= nodes) throw new ArgumentOutOfRangeException(nameof(node), $"node {node} of {nodes}");
        long len = Bytes.Length;
        return Bytes[(int)(len * node / nodes)..(int)(len * (node + 1) / nodes)];
    }

    private static bool IsTextName(string path)
    {
        var p = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        return TextExtensions.Any(e => p.EndsWith(e, StringComparison.OrdinalIgnoreCase));
    }

    private static string? ReadText(string path, bool isExplicit)
    {
        byte[] raw;
        try
        {
            using var file = File.OpenRead(path);
            using var ms = new MemoryStream();
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) { using var gz = new GZipStream(file, CompressionMode.Decompress); gz.CopyTo(ms); }
            else file.CopyTo(ms);
            raw = ms.ToArray();
        }
        catch (InvalidDataException e) { throw new DatasetFormatException(path, $"corrupt gzip stream ({e.Message})", e); }
        catch (IOException e) { throw new DatasetFormatException(path, $"cannot read ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new DatasetFormatException(path, "permission denied", e); }
        if (Array.IndexOf(raw, (byte)0) >= 0)
            return isExplicit ? throw new DatasetFormatException(path, "looks binary (contains a NUL byte), not text") : null;
        var text = Encoding.UTF8.GetString(raw);
        var name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        var isHtml = name.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".htm", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".xhtml", StringComparison.OrdinalIgnoreCase);
        return isHtml ? HtmlText.Strip(text) : text;
    }
}
