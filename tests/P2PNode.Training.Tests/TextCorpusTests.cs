using System.IO.Compression;
using System.Text;
using P2PNode.Training.Data;

namespace P2PNode.Training.Tests;

public sealed class TextCorpusTests
{
    [Fact]
    public void HtmlIsReducedToItsText()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("page.html"),
            "<html><head><title>T</title><style>p{color:red}</style></head><body><script>var x = 1 < 2;</script>" +
            "<!-- hidden --><h1>Bonjour&nbsp;le monde</h1><p>Caf&eacute; &amp; <b>th&#233;</b></p></body></html>");
        var corpus = TextCorpus.Load([dir.File("page.html")]);
        var text = Encoding.UTF8.GetString(corpus.Bytes);
        Assert.Equal("Bonjour le monde\n\nCafé & thé\n\n", text);
        Assert.DoesNotContain("color", text);
        Assert.DoesNotContain("var x", text);
        Assert.DoesNotContain("hidden", text);
    }

    [Fact]
    public void FoldersAreReadRecursivelyInPathOrderIncludingGzipAndSkippingBinaries()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("b"));
        File.WriteAllText(dir.File("b/two.txt"), "two");
        File.WriteAllText(dir.File("a.txt"), "one");
        File.WriteAllBytes(dir.File("c.txt"), [0x41, 0x00, 0x42]); // binary: skipped in a folder
        File.WriteAllText(dir.File("ignored.png"), "not text by name");
        using (var gz = new GZipStream(File.Create(dir.File("d.html.gz")), CompressionLevel.Fastest))
            gz.Write(Encoding.UTF8.GetBytes("<p>trois</p>"));
        var corpus = TextCorpus.Load([dir.Path]);
        Assert.Equal("one\n\ntwo\n\ntrois\n\n", Encoding.UTF8.GetString(corpus.Bytes));
        Assert.Equal(3, corpus.Documents.Count);
        Assert.EndsWith("a.txt", corpus.Documents[0].Source);
        Assert.Equal(5, corpus.Documents[1].Offset);
    }

    [Fact]
    public void MissingPathsBinaryFilesAndEmptyCorporaAreErrors()
    {
        using var dir = new TempDir();
        var missing = Assert.Throws<DatasetFormatException>(() => TextCorpus.Load([dir.File("nope")]));
        Assert.Contains("no such file", missing.Message);
        File.WriteAllBytes(dir.File("bin.txt"), [1, 0, 2]);
        var binary = Assert.Throws<DatasetFormatException>(() => TextCorpus.Load([dir.File("bin.txt")]));
        Assert.Contains("NUL", binary.Message);
        Directory.CreateDirectory(dir.File("empty"));
        Assert.Contains("no text", Assert.Throws<DatasetFormatException>(() => TextCorpus.Load([dir.File("empty")])).Message);
    }

    [Fact]
    public void MaxBytesSplitAndNodePartsCoverTheCorpus()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("a.txt"), new string('x', 998));
        File.WriteAllText(dir.File("b.txt"), new string('y', 998));
        Assert.Equal(1500, TextCorpus.Load([dir.Path], maxBytes: 1500).Bytes.Length);
        var corpus = TextCorpus.Load([dir.Path]);
        Assert.Equal(2000, corpus.Bytes.Length);
        var (train, held) = corpus.Split(0.1);
        Assert.Equal(1800, train.Length);
        Assert.Equal(corpus.Bytes, train.Concat(held));
        var parts = Enumerable.Range(0, 3).Select(i => corpus.PartFor(i, 3)).ToList();
        Assert.Equal(corpus.Bytes, parts.SelectMany(p => p));
        Assert.InRange(parts.Max(p => p.Length) - parts.Min(p => p.Length), 0, 1);
    }
}
