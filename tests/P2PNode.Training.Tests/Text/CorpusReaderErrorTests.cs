using System.IO.Compression;
using P2PNode.Training.Data;
using P2PNode.Training.Text;

namespace P2PNode.Training.Tests.Text;

/// <summary>Every corpus problem names the file and, where it applies, the 1-based line.</summary>
public sealed class CorpusReaderErrorTests
{
    private static DatasetFormatException Refused(string path, int segmentBytes = CorpusReader.SegmentBytes, int maxDocumentBytes = CorpusReader.MaxDocumentBytes)
    {
        var e = Assert.Throws<DatasetFormatException>(() => new CorpusReader([path], segmentBytes, maxDocumentBytes).ToList());
        Assert.Equal(path, e.Path);
        Assert.StartsWith(path + ": ", e.Message);
        return e;
    }

    [Fact]
    public void ANulByteLooksBinary()
    {
        using var dir = new TempDir();
        var e = Refused(dir.WriteBytes("bin.txt", [.. "one\ntwo\nth"u8, 0, .. "ree\n"u8]));
        Assert.StartsWith("line 3: looks binary", e.Problem);
    }

    [Theory]
    [InlineData(CorpusReader.SegmentBytes)]
    [InlineData(16)] // the bad byte lies several segments in: the line count carries across segments
    public void InvalidUtf8NamesTheLineOfTheFirstBadByte(int segmentBytes)
    {
        using var dir = new TempDir();
        var e = Refused(dir.WriteBytes("latin1.txt", [.. "ok line\nanother fine line\ncaf"u8, 0xE9, .. " au lait\n"u8]), segmentBytes);
        Assert.StartsWith("line 3: invalid UTF-8 (byte 0xe9)", e.Problem);
        Assert.Contains("line 2: invalid UTF-8", Refused(dir.WriteBytes("cut.jsonl", [.. "{\"text\":\"a\"}\n{\"text\":\"\xe6"u8[..^1], 0xE6, 0x9D])).Problem);
    }

    [Fact]
    public void CorruptAndTruncatedGzipAreRefused()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("garbage.txt.gz"), [.. "this is not gzip at all, just text"u8]);
        Assert.Contains("corrupt gzip", Refused(dir.File("garbage.txt.gz")).Problem);
        var whole = new MemoryStream();
        using (var gz = new GZipStream(whole, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(System.Text.Encoding.UTF8.GetBytes(TextSamples.Prose(2000, 3)));
        File.WriteAllBytes(dir.File("truncated.md.gz"), whole.ToArray()[..(int)(whole.Length / 2)]);
        Assert.Contains("truncated gzip", Refused(dir.File("truncated.md.gz")).Problem);
    }

    [Fact]
    public void AnUnreadableFileIsRefused()
    {
        // Root reads any permission bits, but reading /proc/self/mem at offset 0 fails with EIO for everyone.
        Skip.IfNot(File.Exists("/proc/self/mem"));
        Assert.StartsWith("cannot read", Refused("/proc/self/mem").Problem);
    }

    [Theory]
    [InlineData("[1, 2]", "line 2: a JSON array, not an object")]
    [InlineData("\"text\"", "line 2: a JSON string, not an object")]
    [InlineData("{\"title\": \"no text\"}", "line 2: the object has no \"text\" field")]
    [InlineData("{\"text\": 42}", "line 2: \"text\" is a number, not a string")]
    [InlineData("{\"text\": null}", "line 2: \"text\" is a null, not a string")]
    [InlineData("{\"text\": \"unfinished", "line 2: not valid JSON")]
    public void BadJsonlLinesAreRefusedWithTheirLine(string badLine, string problem)
    {
        using var dir = new TempDir();
        Assert.StartsWith(problem, Refused(dir.Write("docs.jsonl", "{\"text\": \"fine\"}\n" + badLine + "\n{\"text\": \"fine\"}\n")).Problem);
    }

    [Fact]
    public void OversizedHtmlFilesAndJsonlLinesAreRefused()
    {
        using var dir = new TempDir();
        // The real limit is 64 MiB; a small one keeps the test fast, and the same code enforces both.
        var big = new string(' ', 1001);
        Assert.StartsWith("longer than 1000 bytes", Refused(dir.Write("huge.html.gz", big), maxDocumentBytes: 1000).Problem);
        Assert.StartsWith("line 2: longer than 1000 bytes", Refused(dir.Write("huge.jsonl.gz", "{\"text\":\"a\"}\n" + big + "\n{}"), maxDocumentBytes: 1000).Problem);
        Assert.StartsWith("line 2: longer than 1000 bytes", Refused(dir.Write("huge.jsonl", "{\"text\":\"a\"}\n" + big), maxDocumentBytes: 1000).Problem);
        Assert.Single(new CorpusReader([dir.Write("fits.html", new string('x', 1000))], maxDocumentBytes: 1000));
        Assert.Equal(64 << 20, CorpusReader.MaxDocumentBytes);
    }

    [Fact]
    public void MissingPathsAndCorporaWithoutTextAreRefusedNamingThePaths()
    {
        using var dir = new TempDir();
        var missing = Assert.Throws<DatasetFormatException>(() => new CorpusReader([dir.File("nope")]));
        Assert.Equal($"{dir.File("nope")}: no such file or directory", missing.Message);
        Directory.CreateDirectory(dir.File("empty"));
        dir.Write("empty/image.png", "x");
        var empty = Assert.Throws<DatasetFormatException>(() => new CorpusReader([dir.File("empty")]));
        Assert.Equal(dir.File("empty"), empty.Path);
        Assert.StartsWith("no text found", empty.Problem);
        dir.Write("blank/a.txt", "");
        dir.Write("blank/b.jsonl", "\n\n{\"text\": \"\"}\n");
        var blank = Assert.Throws<DatasetFormatException>(() => new CorpusReader([dir.File("blank")]).ToList());
        Assert.Equal(dir.File("blank"), blank.Path);
        Assert.Equal("no text found (2 files, all empty)", blank.Problem);
    }
}
