using System.Buffers.Binary;
using System.Security.Cryptography;

namespace P2PNode.Transfer;

/// <summary>
/// What an object is: SHA-256 of all its bytes, its size, the chunk size and each chunk's SHA-256. The canonical
/// bytes (docs/transfer.md, section 2) are hashed into the <see cref="ObjectId"/>, so a manifest received from
/// anyone can be checked against the id it was asked for, and then every chunk against its hash.
/// </summary>
public sealed class Manifest
{
    private static ReadOnlySpan<byte> Magic => "P2MF"u8;
    public const byte Version = 1;

    private readonly byte[][] _chunkHashes;

    private Manifest(byte[] objectHash, long size, int chunkSize, byte[][] chunkHashes, byte[] canonical)
    {
        ObjectHash = objectHash;
        Size = size;
        ChunkSize = chunkSize;
        _chunkHashes = chunkHashes;
        Bytes = canonical;
        Id = ObjectId.FromBytes(SHA256.HashData(canonical));
    }

    public ObjectId Id { get; }
    public byte[] ObjectHash { get; }
    public long Size { get; }
    public int ChunkSize { get; }
    public int ChunkCount => _chunkHashes.Length;

    /// <summary>The canonical encoding (what travels in a Manifest message and is hashed into <see cref="Id"/>).</summary>
    public byte[] Bytes { get; }

    public ReadOnlySpan<byte> ChunkHash(int index) => _chunkHashes[index];

    /// <summary>Length of chunk <paramref name="index"/>: the chunk size, except the last one.</summary>
    public int ChunkLength(int index) =>
        index < ChunkCount - 1 ? ChunkSize : (int)(Size - (long)ChunkSize * (ChunkCount - 1));

    public bool ChunkMatches(int index, ReadOnlySpan<byte> data) =>
        (uint)index < (uint)ChunkCount && data.Length == ChunkLength(index) &&
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(data), _chunkHashes[index]);

    public static int ChunkCountFor(long size, int chunkSize) => (int)((size + chunkSize - 1) / chunkSize);

    /// <summary>Splits <paramref name="data"/> into chunks and describes it.</summary>
    public static Manifest Describe(ReadOnlySpan<byte> data, int chunkSize = TransferLimits.DefaultChunkSize)
    {
        CheckShape(data.Length, chunkSize, ChunkCountFor(data.Length, chunkSize), s => new ArgumentException(s));
        var count = ChunkCountFor(data.Length, chunkSize);
        var hashes = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var start = i * chunkSize;
            hashes[i] = SHA256.HashData(data.Slice(start, Math.Min(chunkSize, data.Length - start)));
        }
        return Build(SHA256.HashData(data), data.Length, chunkSize, hashes);
    }

    private static Manifest Build(byte[] objectHash, long size, int chunkSize, byte[][] hashes)
    {
        var bytes = new byte[TransferLimits.ManifestHeaderLength + TransferLimits.HashLength * hashes.Length];
        Magic.CopyTo(bytes);
        bytes[4] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(5), (uint)chunkSize);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(9), (ulong)size);
        objectHash.CopyTo(bytes, 17);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(49), (uint)hashes.Length);
        for (var i = 0; i < hashes.Length; i++) hashes[i].CopyTo(bytes, TransferLimits.ManifestHeaderLength + 32 * i);
        return new Manifest(objectHash, size, chunkSize, hashes, bytes);
    }

    /// <summary>Parses canonical manifest bytes; throws <see cref="ManifestFormatException"/> naming the rule broken.</summary>
    public static Manifest Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < TransferLimits.ManifestHeaderLength)
            throw new ManifestFormatException($"manifest is {bytes.Length} bytes, shorter than its {TransferLimits.ManifestHeaderLength}-byte header");
        if (!bytes[..4].SequenceEqual(Magic)) throw new ManifestFormatException("manifest does not start with magic P2MF");
        if (bytes[4] != Version) throw new ManifestFormatException($"manifest version {bytes[4]} is not supported (only {Version})");
        var chunkSize = BinaryPrimitives.ReadUInt32BigEndian(bytes[5..]);
        var size = BinaryPrimitives.ReadUInt64BigEndian(bytes[9..]);
        var count = BinaryPrimitives.ReadUInt32BigEndian(bytes[49..]);
        if (chunkSize is < TransferLimits.MinChunkSize or > TransferLimits.MaxChunkSize)
            throw new ManifestFormatException($"chunk size {chunkSize} outside {TransferLimits.MinChunkSize}..{TransferLimits.MaxChunkSize}");
        if (count > TransferLimits.MaxChunks) throw new ManifestFormatException($"manifest lists {count} chunks, limit {TransferLimits.MaxChunks}");
        if (size > (ulong)TransferLimits.MaxChunks * chunkSize || (ulong)ChunkCountFor((long)size, (int)chunkSize) != count)
            throw new ManifestFormatException($"size {size} with chunk size {chunkSize} needs {(size + chunkSize - 1) / chunkSize} chunks, manifest lists {count}");
        var expected = TransferLimits.ManifestHeaderLength + TransferLimits.HashLength * (long)count;
        if (bytes.Length != expected) throw new ManifestFormatException($"manifest is {bytes.Length} bytes, {count} chunks need exactly {expected}");
        var hashes = new byte[count][];
        for (var i = 0; i < count; i++) hashes[i] = bytes.Slice(TransferLimits.ManifestHeaderLength + 32 * i, 32).ToArray();
        return Build(bytes.Slice(17, 32).ToArray(), (long)size, (int)chunkSize, hashes);
    }

    private static void CheckShape(long size, int chunkSize, int count, Func<string, Exception> fail)
    {
        if (chunkSize is < TransferLimits.MinChunkSize or > TransferLimits.MaxChunkSize)
            throw fail($"chunk size {chunkSize} outside {TransferLimits.MinChunkSize}..{TransferLimits.MaxChunkSize}");
        if (count > TransferLimits.MaxChunks || size > (long)TransferLimits.MaxChunks * chunkSize)
            throw fail($"an object of {size} bytes needs more than {TransferLimits.MaxChunks} chunks of {chunkSize} bytes");
    }
}
