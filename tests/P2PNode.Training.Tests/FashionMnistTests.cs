using System.Buffers.Binary;
using System.IO.Compression;
using P2PNode.Training.Data;

namespace P2PNode.Training.Tests;

public sealed class FashionMnistTests
{
    private static bool Installed => File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "t10k-labels-idx1-ubyte.gz"));

    [SkippableFact]
    public void LoadsTheRealTestSet()
    {
        Skip.IfNot(Installed, "dataset-fashion-mnist is not installed");
        var test = FashionMnist.Load("t10k");
        Assert.Equal(10_000, test.Count);
        Assert.Equal([1, 28, 28], test.SampleShape);
        Assert.All(test.ClassCounts(), c => Assert.Equal(1000, c)); // the test set is balanced
        var mean = test.Features.Average();
        Assert.InRange(mean, -0.1, 0.1); // normalised with the training mean/std
    }

    [SkippableFact]
    public void ATruncatedCopyOfTheRealFileIsNamedAndExplained()
    {
        Skip.IfNot(Installed, "dataset-fashion-mnist is not installed");
        using var dir = new TempDir();
        var raw = Decompress(File.ReadAllBytes(Path.Combine(FashionMnist.DefaultDirectory, "t10k-labels-idx1-ubyte.gz")));
        WriteGz(dir.File("t10k-labels-idx1-ubyte.gz"), raw[..5000]);
        WriteIdx(dir, "t10k-images-idx3-ubyte.gz", Images(10_000));
        var e = Assert.Throws<DatasetFormatException>(() => FashionMnist.Load("t10k", dir.Path));
        Assert.Equal(dir.File("t10k-labels-idx1-ubyte.gz"), e.Path);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("10000", e.Message);
    }

    [Fact]
    public void ReadsAValidSmallFile()
    {
        using var dir = new TempDir();
        WriteIdx(dir, "train-images-idx3-ubyte.gz", Images(5));
        WriteIdx(dir, "train-labels-idx1-ubyte.gz", Labels(5));
        var d = FashionMnist.Load("train", dir.Path);
        Assert.Equal(5, d.Count);
        Assert.Equal([0, 1, 2, 3, 4], d.Labels);
        Assert.Equal((0 / 255f - FashionMnist.Mean) / FashionMnist.Std, d.Features[0], 6);
        Assert.Equal((255 / 255f - FashionMnist.Mean) / FashionMnist.Std, d.Features[784 * 4 + 1], 6);
    }

    [Fact]
    public void AMissingFileSaysHowToGetIt()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DatasetFormatException>(() => FashionMnist.Load("train", dir.Path));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Contains("not found", e.Message);
        Assert.Contains("dataset-fashion-mnist", e.Message);
    }

    public static TheoryData<string, string> Corruptions => new()
    {
        { "bad-magic", "magic" },
        { "wrong-rank", "dimensions" },
        { "not-bytes", "element type" },
        { "truncated-data", "truncated" },
        { "trailing-bytes", "unexpected bytes" },
        { "zero-dimension", "dimension 0 is 0" },
        { "broken-gzip", "corrupt gzip" },
        { "short-header", "truncated header" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void ACorruptImagesFileIsRefusedWithTheReason(string corruption, string expected)
    {
        using var dir = new TempDir();
        var good = Images(3);
        var bad = corruption switch
        {
            "bad-magic" => Patch(good, 0, 0x12),
            "wrong-rank" => Patch(good, 3, 2),
            "not-bytes" => Patch(good, 2, 0x0D),
            "truncated-data" => good[..^10],
            "trailing-bytes" => [.. good, 1, 2, 3],
            "zero-dimension" => Patch(Patch(Patch(Patch(good, 4, 0), 5, 0), 6, 0), 7, 0),
            "short-header" => good[..9],
            _ => good,
        };
        var path = dir.File("train-images-idx3-ubyte.gz");
        if (corruption == "broken-gzip")
        {
            // A valid gzip member header followed by a deflate block of the reserved type 11.
            File.WriteAllBytes(path, [.. Gzip(good)[..10], .. Enumerable.Repeat((byte)0xFF, 64)]);
        }
        else WriteGz(path, bad);
        WriteIdx(dir, "train-labels-idx1-ubyte.gz", Labels(3));
        var e = Assert.Throws<DatasetFormatException>(() => FashionMnist.Load("train", dir.Path));
        Assert.Equal(path, e.Path);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void LabelAndImageCountsMustAgree()
    {
        using var dir = new TempDir();
        WriteIdx(dir, "train-images-idx3-ubyte.gz", Images(4));
        WriteIdx(dir, "train-labels-idx1-ubyte.gz", Labels(3));
        var e = Assert.Throws<DatasetFormatException>(() => FashionMnist.Load("train", dir.Path));
        Assert.Contains("3 labels but", e.Message);
    }

    [Fact]
    public void LabelsAboveNineAreRefused()
    {
        using var dir = new TempDir();
        WriteIdx(dir, "train-images-idx3-ubyte.gz", Images(2));
        var labels = Labels(2);
        labels[^1] = 10;
        WriteIdx(dir, "train-labels-idx1-ubyte.gz", labels);
        var e = Assert.Throws<DatasetFormatException>(() => FashionMnist.Load("train", dir.Path));
        Assert.Contains("label 10 at index 1", e.Message);
    }

    [Fact]
    public void ImagesOfTheWrongSizeAreRefused()
    {
        using var dir = new TempDir();
        WriteIdx(dir, "train-images-idx3-ubyte.gz", Idx([2, 32, 32], new byte[2 * 32 * 32]));
        WriteIdx(dir, "train-labels-idx1-ubyte.gz", Labels(2));
        var e = Assert.Throws<DatasetFormatException>(() => FashionMnist.Load("train", dir.Path));
        Assert.Contains("32x32", e.Message);
    }

    private static byte[] Images(int n)
    {
        var pixels = new byte[n * 784];
        for (var i = 0; i < n; i++) pixels[i * 784 + 1] = 255;
        return Idx([n, 28, 28], pixels);
    }

    private static byte[] Labels(int n) => Idx([n], Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray());

    private static byte[] Idx(int[] dims, byte[] data)
    {
        var header = new byte[4 + 4 * dims.Length];
        header[2] = 0x08;
        header[3] = (byte)dims.Length;
        for (var i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + 4 * i), (uint)dims[i]);
        return [.. header, .. data];
    }

    private static byte[] Patch(byte[] b, int at, byte value)
    {
        var c = (byte[])b.Clone();
        c[at] = value;
        return c;
    }

    private static void WriteIdx(TempDir dir, string name, byte[] content) => WriteGz(dir.File(name), content);

    private static void WriteGz(string path, byte[] content) => File.WriteAllBytes(path, Gzip(content));

    private static byte[] Gzip(byte[] content)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(content);
        return ms.ToArray();
    }

    private static byte[] Decompress(byte[] gz)
    {
        using var input = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
