using System.Buffers.Binary;
using System.IO.Compression;

namespace P2PNode.Training.Data;

/// <summary>
/// Reads one IDX file (the format of MNIST and Fashion-MNIST), gzip-compressed or not. Layout: 2 zero bytes,
/// a type byte (0x08 = unsigned byte, the only one these datasets use), the number of dimensions, then each
/// dimension as a big-endian uint32, then the data. The whole file must be exactly that long.
/// </summary>
internal static class IdxReader
{
    public static (int[] Dims, byte[] Data) Read(string path, int expectedRank)
    {
        byte[] raw;
        try
        {
            using var file = File.OpenRead(path);
            var isGzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            using var ms = new MemoryStream();
            if (isGzip) { using var gz = new GZipStream(file, CompressionMode.Decompress); gz.CopyTo(ms); }
            else file.CopyTo(ms);
            raw = ms.ToArray();
        }
        catch (FileNotFoundException e) { throw new DatasetFormatException(path, "file not found", e); }
        catch (DirectoryNotFoundException e) { throw new DatasetFormatException(path, "file not found (directory missing)", e); }
        catch (InvalidDataException e) { throw new DatasetFormatException(path, $"corrupt gzip stream ({e.Message})", e); }
        catch (IOException e) { throw new DatasetFormatException(path, $"cannot read ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new DatasetFormatException(path, "permission denied", e); }

        if (raw.Length < 4) throw new DatasetFormatException(path, $"too short for an IDX header ({raw.Length} bytes)");
        if (raw[0] != 0 || raw[1] != 0)
            throw new DatasetFormatException(path, $"bad IDX magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(raw):x8} (must start with two zero bytes)");
        if (raw[2] != 0x08) throw new DatasetFormatException(path, $"unsupported IDX element type 0x{raw[2]:x2} (expected 0x08, unsigned byte)");
        if (raw[3] != expectedRank)
            throw new DatasetFormatException(path, $"IDX magic 0x{BinaryPrimitives.ReadUInt32BigEndian(raw):x8} says {raw[3]} dimensions, expected {expectedRank} (0x{0x800 + expectedRank:x8})");
        var headerLength = 4 + 4 * expectedRank;
        if (raw.Length < headerLength) throw new DatasetFormatException(path, $"truncated header: {raw.Length} bytes, need {headerLength}");
        var dims = new int[expectedRank];
        long expected = 1;
        for (var i = 0; i < expectedRank; i++)
        {
            var d = BinaryPrimitives.ReadUInt32BigEndian(raw.AsSpan(4 + 4 * i));
            if (d == 0 || d > 100_000_000) throw new DatasetFormatException(path, $"dimension {i} is {d}, outside [1, 100000000]");
            dims[i] = (int)d;
            expected *= d;
        }
        var actual = raw.Length - headerLength;
        if (actual < expected)
            throw new DatasetFormatException(path, $"truncated: dimensions [{string.Join("x", dims)}] need {expected} data bytes, file has {actual}");
        if (actual > expected)
            throw new DatasetFormatException(path, $"{actual - expected} unexpected bytes after the {expected} data bytes of [{string.Join("x", dims)}]");
        return (dims, raw[headerLength..]);
    }
}
