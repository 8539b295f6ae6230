using System.Buffers.Binary;
using System.Security.Cryptography;
using P2PNode.Transfer;

namespace P2PNode.Core.Tests.Transfer;

public sealed class ManifestTests
{
    private static byte[] Data(int n, int seed = 1)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Fact]
    public void DescribeSplitsIntoChunksAndTheIdIsTheHashOfTheCanonicalBytes()
    {
        var data = Data(10_000);
        var m = Manifest.Describe(data, 4096);
        Assert.Equal(3, m.ChunkCount);
        Assert.Equal(4096, m.ChunkLength(0));
        Assert.Equal(10_000 - 8192, m.ChunkLength(2));
        Assert.Equal(53 + 3 * 32, m.Bytes.Length);
        Assert.Equal(ObjectId.FromBytes(SHA256.HashData(m.Bytes)), m.Id);
        Assert.True(m.ChunkMatches(2, data.AsSpan(8192)));
        Assert.False(m.ChunkMatches(1, data.AsSpan(8192)));
        var parsed = Manifest.Parse(m.Bytes);
        Assert.Equal(m.Id, parsed.Id);
        Assert.Equal(m.Size, parsed.Size);
    }

    [Fact]
    public void GoldenManifestOfAnEmptyObject()
    {
        var m = Manifest.Describe([], 1024);
        Assert.Equal("50324d46" + "01" + "00000400" + "0000000000000000" +
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" + "00000000",
            Convert.ToHexStringLower(m.Bytes));
    }

    [Fact]
    public void GoldenManifestAndIdOfTheDocsExample()
    {
        // docs/transfer.md, section 2: bytes 0..255 repeated five times (1280 bytes), 1024-byte chunks.
        var data = Enumerable.Range(0, 1280).Select(i => (byte)i).ToArray();
        var m = Manifest.Describe(data, 1024);
        Assert.Equal("50324d4601000004000000000000000500d414b085826eb06778483ba35564dc849e643359f69ed9747878ba6e54985bed00000002" +
            "785b0751fc2c53dc14a4ce3d800e69ef9ce1009eb327ccf458afe09c242c26c9" +
            "40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880", Convert.ToHexStringLower(m.Bytes));
        Assert.Equal("872986f62973e80bc6c6dbaa4855e36700029e31f30b2564d52db77b427ff6e5", m.Id.ToString());
    }

    [Theory]
    [InlineData("magic", "manifest does not start with magic P2MF")]
    [InlineData("version", "manifest version 2 is not supported (only 1)")]
    [InlineData("chunk_size", "chunk size 512 outside 1024..1048576")]
    [InlineData("count", "size 10000 with chunk size 4096 needs 3 chunks, manifest lists 4")]
    [InlineData("truncated", "manifest is 148 bytes, 3 chunks need exactly 149")]
    [InlineData("header", "manifest is 40 bytes, shorter than its 53-byte header")]
    public void MalformedManifestsAreRejectedNamingTheRule(string damage, string expected)
    {
        var bytes = Manifest.Describe(Data(10_000), 4096).Bytes;
        switch (damage)
        {
            case "magic": bytes[0] = (byte)'X'; break;
            case "version": bytes[4] = 2; break;
            case "chunk_size": BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(5), 512); break;
            case "count": BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(49), 4); break;
            case "truncated": bytes = bytes[..^1]; break;
            case "header": bytes = bytes[..40]; break;
        }
        Assert.Equal(expected, Assert.Throws<ManifestFormatException>(() => Manifest.Parse(bytes)).Message);
    }

    [Fact]
    public void DirectoryStoreServesWhatItHadAfterReopening()
    {
        var root = Path.Combine(Path.GetTempPath(), "p2pnode-chunks-" + Guid.NewGuid().ToString("N"));
        try
        {
            var data = Data(5000, 3);
            var m = new DirectoryChunkStore(root).AddObject(data, 1024);
            var reopened = new DirectoryChunkStore(root);
            Assert.True(reopened.IsComplete(m.Id));
            Assert.Equal(data, reopened.ReadObject(m.Id));
            Assert.Throws<ArgumentException>(() => reopened.PutChunk(m.Id, 0, new byte[1024]));
            File.WriteAllBytes(Path.Combine(root, m.Id.ToString(), "2.chunk"), new byte[1024]);
            Assert.Throws<InvalidDataException>(() => new DirectoryChunkStore(root).ReadObject(m.Id));
            File.WriteAllBytes(Path.Combine(root, m.Id.ToString(), "manifest"), [1, 2, 3]);
            Assert.Contains("shorter than", Assert.Throws<InvalidDataException>(() => new DirectoryChunkStore(root).GetManifest(m.Id)).Message);
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
