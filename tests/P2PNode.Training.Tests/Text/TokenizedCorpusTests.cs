using System.Text;
using P2PNode.Training.Data;
using P2PNode.Training.Text;

namespace P2PNode.Training.Tests.Text;

public sealed class TokenizedCorpusTests
{
    /// <summary>Three documents; the corpus text is each followed by "\n\n".</summary>
    private static (CorpusReader Reader, string Text) ThreeDocuments(TempDir dir)
    {
        string[] docs = [TextSamples.Prose(40, 1), TextSamples.Mixed, TextSamples.Prose(25, 2).TrimEnd('\n')];
        dir.Write("corpus/1.txt", docs[0]);
        dir.Write("corpus/2.md", docs[1]);
        dir.Write("corpus/3.jsonl", "{\"text\": " + System.Text.Json.JsonSerializer.Serialize(docs[2]) + "}\n");
        return (new CorpusReader([dir.File("corpus")], segmentBytes: 200), string.Concat(docs.Select(d => d + "\n\n")));
    }

    /// <summary>The held-out rule, from its definition: first line start at or after round((1 − f)·total).</summary>
    private static int ExpectedCut(byte[] text, double fraction)
    {
        var target = (int)Math.Round((1 - fraction) * text.Length, MidpointRounding.AwayFromZero);
        var cut = target;
        while (cut < text.Length && cut > 0 && text[cut - 1] != '\n') cut++;
        return cut;
    }

    private static string Decode(TokenSequence tokens, TextTokenizer tokenizer) => tokenizer.Decode(tokens.ToArray(0, (int)tokens.Length));

    [Fact]
    public void HeldOutIsTheTailFromALineStartAndTheSplitIsDeterministic()
    {
        using var dir = new TempDir();
        var (reader, text) = ThreeDocuments(dir);
        var bytes = Encoding.UTF8.GetBytes(text);
        using var corpus = TokenizedCorpus.Build(reader, ByteTokenizer.Instance, 0.3, null, dir.File("work"));
        var cut = ExpectedCut(bytes, 0.3);
        Assert.Equal(bytes.Length, corpus.TotalBytes);
        Assert.Equal(cut, corpus.TrainBytes);
        Assert.Equal(bytes.Length - cut, corpus.HeldOutBytes);
        Assert.Equal(bytes[..cut].Select(b => (int)b), corpus.Train.ToArray(0, (int)corpus.Train.Length));
        Assert.Equal(bytes[cut..].Select(b => (int)b), corpus.HeldOut.ToArray(0, (int)corpus.HeldOut.Length));
        Assert.Equal(corpus.TrainBytes, corpus.Train.Length); // bytes tokenizer: one token per byte
        Assert.Equal((3L, 3), (corpus.DocumentCount, corpus.FileCount));
        using var again = TokenizedCorpus.Build(reader, ByteTokenizer.Instance, 0.3, null, dir.File("work"));
        Assert.Equal(corpus.HeldOut.ToArray(0, (int)corpus.HeldOut.Length), again.HeldOut.ToArray(0, (int)again.HeldOut.Length));
    }

    [Fact]
    public void NoBpeTokenSpansTheCutSoTrainingNeverSeesHeldOutText()
    {
        using var dir = new TempDir();
        var (reader, text) = ThreeDocuments(dir);
        var bytes = Encoding.UTF8.GetBytes(text);
        File.WriteAllText(dir.File("v.tiktoken"), BpeTrainer.Train([TextSamples.Prose(500, 9)], 700));
        var bpe = Tokenizers.Resolve("file:" + dir.File("v.tiktoken"));
        foreach (var fraction in new[] { 0.1, 0.5, 0.77 })
        {
            using var corpus = TokenizedCorpus.Build(reader, bpe, fraction, null, dir.File("work"));
            var cut = ExpectedCut(bytes, fraction);
            Assert.Equal(Encoding.UTF8.GetString(bytes[..cut]), Decode(corpus.Train, bpe));
            Assert.Equal(Encoding.UTF8.GetString(bytes[cut..]), Decode(corpus.HeldOut, bpe));
            Assert.True(corpus.Train.Length < corpus.TrainBytes / 2);
        }
    }

    [Fact]
    public void TrainBytesKeepsTheFirstLinesAndLeavesTheHeldOutPartAlone()
    {
        using var dir = new TempDir();
        var (reader, text) = ThreeDocuments(dir);
        var bytes = Encoding.UTF8.GetBytes(text);
        using var full = TokenizedCorpus.Build(reader, ByteTokenizer.Instance, 0.2, null, dir.File("work"));
        using var small = TokenizedCorpus.Build(reader, ByteTokenizer.Instance, 0.2, trainBytes: 500, dir.File("work"));
        var end = 500;
        while (bytes[end - 1] != '\n') end++;
        Assert.Equal(end, small.TrainBytes);
        Assert.Equal(bytes[..end].Select(b => (int)b), small.Train.ToArray(0, (int)small.Train.Length));
        Assert.Equal(full.HeldOutBytes, small.HeldOutBytes);
        Assert.Equal(full.HeldOut.ToArray(0, (int)full.HeldOut.Length), small.HeldOut.ToArray(0, (int)small.HeldOut.Length));
        using var capped = TokenizedCorpus.Build(reader, ByteTokenizer.Instance, 0.2, trainBytes: 1L << 40, dir.File("work"));
        Assert.Equal(full.TrainBytes, capped.TrainBytes);
    }

    [Fact]
    public void TokenFilesAreUint16OrUint32AndAreDeletedAtDispose()
    {
        using var dir = new TempDir();
        var (reader, text) = ThreeDocuments(dir);
        var o200k = Tokenizers.Resolve("o200k_base");
        var corpus = TokenizedCorpus.Build(reader, o200k, 0.5, null, dir.File("work"));
        Assert.Equal(4, corpus.Train.BytesPerToken);
        Assert.Equal(text, Decode(corpus.Train, o200k) + Decode(corpus.HeldOut, o200k));
        var window = new long[5];
        corpus.HeldOut.CopyTo(corpus.HeldOut.Length - 5, window);
        Assert.Equal(corpus.HeldOut.ToArray(corpus.HeldOut.Length - 5, 5).Select(i => (long)i), window);
        Assert.Throws<ArgumentOutOfRangeException>(() => corpus.HeldOut.CopyTo(corpus.HeldOut.Length - 4, window));
        Assert.Equal(2, Directory.GetFiles(dir.File("work")).Length);
        corpus.Dispose();
        Assert.Empty(Directory.GetFiles(dir.File("work")));
        using var bytes = TokenizedCorpus.Build(reader, ByteTokenizer.Instance, 0.5, null, dir.File("work"));
        Assert.Equal(2, bytes.Train.BytesPerToken);
        Assert.Equal(new FileInfo(Directory.GetFiles(dir.File("work"), "*.train.u16").Single()).Length, 2 * bytes.Train.Length);
    }

    [Fact]
    public void PartsTooSmallAreRefusedWithTheNumbers()
    {
        using var dir = new TempDir();
        var reader = new CorpusReader([dir.Write("one.txt", "a single line without a break, then the separator")]);
        // 51 bytes with the separator; line starts at 0, 50 and 51. A 1% tail starts at round(50.49) = 50: one byte.
        var one = Assert.Throws<DatasetFormatException>(() => TokenizedCorpus.Build(reader, ByteTokenizer.Instance, 0.01, null, dir.File("work")));
        Assert.Contains("the held-out part has 1 tokens (1 bytes), fewer than the 2 needed (held-out fraction 0.01)", one.Message);
        // A 0.5% tail starts at round(50.745) = 51, the end: nothing is held out.
        var none = Assert.Throws<DatasetFormatException>(() => TokenizedCorpus.Build(reader, ByteTokenizer.Instance, 0.005, null, dir.File("work")));
        Assert.Contains("the held-out part has 0 tokens (0 bytes)", none.Message);
        var few = Assert.Throws<DatasetFormatException>(() => TokenizedCorpus.Build(reader, ByteTokenizer.Instance, 0.5, null, dir.File("work"), minimumTokens: 100));
        Assert.Contains("the training part has 50 tokens (50 bytes), fewer than the 100 needed", few.Message);
        Assert.Empty(Directory.GetFiles(dir.File("work")));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenizedCorpus.Build(reader, ByteTokenizer.Instance, 1.0, null, dir.File("work")));
    }

    [Fact]
    public void FromTextTokenizesEachPartAsGiven()
    {
        using var corpus = TokenizedCorpus.FromText("entraînement\n", "évaluation", ByteTokenizer.Instance);
        Assert.Equal((14L, 11L), (corpus.TrainBytes, corpus.HeldOutBytes));
        Assert.Equal(corpus.TrainBytes, corpus.Train.Length);
        Assert.Equal("évaluation", Decode(corpus.HeldOut, ByteTokenizer.Instance));
        Assert.Equal(0xC3, corpus.HeldOut[0]);
    }

    [SkippableFact]
    public void ABpeVocabularyNeedsFewerTokensThanBytesOnRealText()
    {
        const string english = "/usr/share/debian-reference/debian-reference.en.txt.gz";
        Skip.IfNot(File.Exists(english), "debian-reference is not installed");
        using var dir = new TempDir();
        var reader = new CorpusReader([english]);
        using var bytes = TokenizedCorpus.Build(reader, ByteTokenizer.Instance, 0.1, null, dir.File("work"));
        using var gpt2 = TokenizedCorpus.Build(reader, Tokenizers.Resolve("gpt2"), 0.1, null, dir.File("work"));
        Assert.Equal(bytes.TrainBytes, bytes.Train.Length);
        Assert.Equal(bytes.TrainBytes, gpt2.TrainBytes);
        Assert.InRange((double)gpt2.Train.Length / gpt2.TrainBytes, 0.15, 0.4);
    }
}
