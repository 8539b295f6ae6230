using System.Buffers;
using System.IO.Compression;
using System.Text.Unicode;
using P2PNode.Training.Data;

namespace P2PNode.Training.Text;

/// <summary>
/// Reads one corpus file (gunzipped if it ends in .gz) as strict UTF-8, a bounded buffer at a time. Every
/// problem is a <see cref="DatasetFormatException"/> naming the file and, where it applies, the 1-based line.
/// A UTF-8 byte order mark at the start is dropped.
/// </summary>
internal sealed class Utf8FileReader : IDisposable
{
    private readonly Stream _stream;
    private readonly uint? _gzipSize;
    private long _decompressed;
    private char[] _chars = [];
    private bool _started;

    public Utf8FileReader(string path)
    {
        Path = path;
        (_stream, _gzipSize) = Open(path);
    }

    public string Path { get; }

    /// <summary>Reads into <paramref name="buffer"/> until it is full or the file ends; returns the count read.</summary>
    public int Fill(Span<byte> buffer)
    {
        var total = 0;
        try
        {
            while (total < buffer.Length)
            {
                var n = _stream.Read(buffer[total..]);
                if (n == 0) { CheckGzipSize(); break; }
                total += n;
                _decompressed += n;
            }
        }
        catch (InvalidDataException e) { throw new DatasetFormatException(Path, $"corrupt gzip stream ({e.Message})", e); }
        catch (IOException e) { throw new DatasetFormatException(Path, $"cannot read ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new DatasetFormatException(Path, $"cannot read ({e.Message})", e); }
        if (!_started && total > 0)
        {
            _started = true;
            if (buffer[..total].StartsWith("\uFEFF"u8))
            {
                buffer[3..total].CopyTo(buffer);
                return total - 3 + Fill(buffer[(total - 3)..]);
            }
        }
        return total;
    }

    /// <summary>The whole (decompressed) file, refused if longer than <paramref name="maxBytes"/>.</summary>
    public byte[] ReadAll(int maxBytes)
    {
        var all = new MemoryStream();
        var buffer = new byte[1 << 20];
        int n;
        while ((n = Fill(buffer)) > 0)
        {
            if (all.Length + n > maxBytes) throw new DatasetFormatException(Path, $"longer than {Size(maxBytes)}; a file of this kind is read whole, so split it");
            all.Write(buffer, 0, n);
        }
        return all.ToArray();
    }

    /// <summary>Decodes bytes that begin on line <paramref name="firstLine"/>; refuses NUL bytes and invalid UTF-8.</summary>
    public string Decode(ReadOnlySpan<byte> bytes, long firstLine)
    {
        var nul = bytes.IndexOf((byte)0);
        if (nul >= 0) throw new DatasetFormatException(Path, $"line {LineAt(bytes, firstLine, nul)}: looks binary (contains a NUL byte), not text");
        if (_chars.Length < bytes.Length) _chars = new char[Math.Max(bytes.Length, 1024)];
        var status = Utf8.ToUtf16(bytes, _chars, out var read, out var written, replaceInvalidSequences: false, isFinalBlock: true);
        if (status != OperationStatus.Done)
            throw new DatasetFormatException(Path, $"line {LineAt(bytes, firstLine, read)}: invalid UTF-8 (byte 0x{bytes[read]:x2}); the corpus must be UTF-8 text");
        return new string(_chars, 0, written);
    }

    /// <summary>"64 MiB", or a byte count for limits that are not whole MiB.</summary>
    public static string Size(int bytes) => bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : $"{bytes} bytes";

    public static long CountLines(ReadOnlySpan<byte> bytes) => bytes.Count((byte)'\n');

    public void Dispose() => _stream.Dispose();

    private static long LineAt(ReadOnlySpan<byte> bytes, long firstLine, int index) => firstLine + CountLines(bytes[..index]);

    /// <summary>
    /// GZipStream ends quietly at a truncated file. The last 4 bytes of a gzip file hold the uncompressed size
    /// mod 2^32, so a mismatch catches truncation (and trailing garbage). Multi-member files (bgzip) fail this
    /// check, since only the last member's size is there: recompress them with gzip.
    /// </summary>
    private void CheckGzipSize()
    {
        if (_gzipSize is { } expected && (uint)_decompressed != expected)
            throw new DatasetFormatException(Path, $"corrupt or truncated gzip stream (its trailer says {expected} bytes, {_decompressed} were decompressed; multi-member gzip such as bgzip is not supported)");
    }

    private static (Stream, uint?) Open(string path)
    {
        try
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return (file, null);
            if (file.Length < 18) { file.Dispose(); throw new DatasetFormatException(path, $"corrupt gzip stream ({file.Length} bytes is shorter than any gzip file)"); }
            Span<byte> trailer = stackalloc byte[4];
            file.Seek(-4, SeekOrigin.End);
            file.ReadExactly(trailer);
            file.Seek(0, SeekOrigin.Begin);
            return (new GZipStream(file, CompressionMode.Decompress), System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer));
        }
        catch (FileNotFoundException e) { throw new DatasetFormatException(path, "no such file", e); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new DatasetFormatException(path, $"cannot read ({e.Message})", e); }
    }
}
