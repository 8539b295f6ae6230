using System.Text;
using P2PNode.Training.Data;
using P2PNode.Training.Text;

namespace P2PNode.Training.Tests.Text;

public sealed class CorpusReaderTests
{
    [Fact]
    public void ALargeTextFileIsOneDocumentInLineAlignedSegments()
    {
        using var dir = new TempDir();
        var text = new StringBuilder();
        for (var i = 0; text.Length < 5 << 20; i++) text.Append("ligne ").Append(i).Append(" — déjà vu, 東京 ").Append(new string('x', i % 97)).Append('\n');
        var path = dir.Write("big.txt", text.ToString());
        var segments = new CorpusReader([path]).ToList();
        Assert.InRange(segments.Count, 5, 20);
        Assert.Equal(text.ToString(), string.Concat(segments.Select(s => s.Text)));
        Assert.All(segments, s => Assert.InRange(Encoding.UTF8.GetByteCount(s.Text), 1, CorpusReader.SegmentBytes));
        Assert.All(segments[..^1], s => { Assert.EndsWith("\n", s.Text); Assert.False(s.EndsDocument); });
        Assert.True(segments[^1].EndsDocument);
        var line = 1L;
        foreach (var s in segments)
        {
            Assert.Equal(line, s.FirstLine);
            line += s.Text.Count(c => c == '\n');
        }
    }

    [Fact]
    public void ALineLongerThanASegmentIsCutBetweenCharacters()
    {
        using var dir = new TempDir();
        var text = string.Concat(Enumerable.Repeat("é東😀a", 50)) + "\nend";
        var segments = new CorpusReader([dir.Write("long.md", text)], segmentBytes: 16).ToList();
        Assert.True(segments.Count > 10);
        Assert.Equal(text, string.Concat(segments.Select(s => s.Text)));
        Assert.DoesNotContain(segments, s => s.Text.Contains('\uFFFD'));
        Assert.All(segments[..^1], s => Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(s.Text), 13, 16));
        Assert.Equal(2, segments[^1].FirstLine + segments[^1].Text.Count(c => c == '\n'));
    }

    [Fact]
    public void FoldersAreReadInOrdinalPathOrderAndOtherFilesAreSkippedAndCounted()
    {
        using var dir = new TempDir();
        dir.Write("corpus/b/two.txt", "two");
        dir.Write("corpus/a.txt", "one");
        dir.Write("corpus/B.md", "capital B sorts before a");
        dir.Write("corpus/c.text.gz", "three");
        dir.Write("corpus/picture.png", "not text by name");
        dir.Write("corpus/notes.log", "skipped in a folder");
        var named = dir.Write("notes.log", "read when named");
        var reader = new CorpusReader([dir.File("corpus"), named]);
        Assert.Equal(["B.md", "a.txt", "two.txt", "c.text.gz", "notes.log"], reader.Files.Select(Path.GetFileName));
        Assert.Equal(["notes.log", "picture.png"], reader.SkippedFiles.Select(Path.GetFileName));
        Assert.Equal(["capital B sorts before a", "one", "two", "three", "read when named"], reader.Select(s => s.Text));
        Assert.All(reader, s => Assert.True(s.EndsDocument));
    }

    [Fact]
    public void HtmlAndGzipAndByteOrderMarks()
    {
        using var dir = new TempDir();
        var html = dir.Write("page.html.gz", "<html><head><title>T</title></head><body><script>x()</script><p>Caf&eacute; <b>th&#233;</b></p></body></html>");
        var bom = dir.WriteBytes("bom.txt", [0xEF, 0xBB, 0xBF, .. "sans BOM"u8]);
        Assert.Equal(["Café thé", "sans BOM"], new CorpusReader([html, bom]).Select(s => s.Text));
    }

    [Fact]
    public void JsonlLinesAreDocumentsAndBlankLinesAreSkipped()
    {
        using var dir = new TempDir();
        var path = dir.Write("docs.jsonl.gz", "{\"text\": \"premier\\nmot\", \"id\": 1}\n\n  \r\n{\"id\": 2, \"text\": \"東京 \\ud83d\\ude00\"}\r\n{\"text\": \"\"}\n{\"text\": \"last, no newline\"}");
        var segments = new CorpusReader([path]).ToList();
        Assert.Equal(["premier\nmot", "東京 😀", "last, no newline"], segments.Select(s => s.Text));
        Assert.Equal([1L, 4, 6], segments.Select(s => s.FirstLine));
        Assert.All(segments, s => Assert.True(s.EndsDocument));
    }

    [Fact]
    public void EnumeratingAgainGivesTheSameSegments()
    {
        using var dir = new TempDir();
        dir.Write("c/a.txt", TextSamples.Prose(300, 1));
        dir.Write("c/b.jsonl", "{\"text\": \"x\"}\n{\"text\": \"y\"}\n");
        var reader = new CorpusReader([dir.File("c")], segmentBytes: 256);
        Assert.Equal(reader.ToList(), reader.ToList());
        Assert.True(reader.Count() > 10);
    }
}
