using System.Diagnostics;
using System.Text;
using P2PNode.Training.Text;

namespace P2PNode.Training.Tests.Text;

public sealed class BpeTrainerTests
{
    private static readonly string[] Corpus = [TextSamples.Prose(3000, 7), TextSamples.Mixed, TextSamples.Mixed.ToUpperInvariant()];

    [Fact]
    public void TrainedVocabularyRoundTripsMixedScripts()
    {
        using var dir = new TempDir();
        BpeTrainer.TrainToFile(Corpus, 1000, dir.File("mixed.tiktoken"));
        var tokenizer = Tokenizers.Resolve("file:" + dir.File("mixed.tiktoken"));
        Assert.Equal("file:mixed.tiktoken", tokenizer.Name);
        Assert.Equal(1000, tokenizer.VocabularySize);
        foreach (var text in new[] { TextSamples.Mixed, TextSamples.Prose(50, 99), "unseen: ∮ E⋅da = Q, 🤖🧪\r\n\t", "" })
        {
            var ids = tokenizer.Encode(text);
            Assert.Equal(text, tokenizer.Decode(ids));
            Assert.All(ids, id => Assert.InRange(id, 0, 999));
        }
        var prose = TextSamples.Prose(200, 5);
        Assert.True(tokenizer.Encode(prose).Length < Encoding.UTF8.GetByteCount(prose) / 2, "merges should at least halve the length of text like the training text");
    }

    [Fact]
    public void TrainingIsDeterministicAndStartsWithTheSingleBytes()
    {
        var first = BpeTrainer.Train(Corpus, 600);
        var second = BpeTrainer.Train(Corpus.Select(s => new string(s.AsSpan())), 600);
        Assert.Equal(first, second);
        var lines = first.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(600, lines.Length);
        for (var b = 0; b < 256; b++) Assert.Equal($"{Convert.ToBase64String([(byte)b])} {b}", lines[b]);
        Assert.Equal(lines.Length, lines.Select(l => l.Split(' ')[0]).Distinct().Count());
        Assert.NotEqual(first, BpeTrainer.Train(Corpus, 600, TiktokenPatterns.R50k));
    }

    [Fact]
    public void TiesGoToTheLowestPairAndTrainingStopsWhenNoPairIsLeft()
    {
        // "ab" and "cd" occur equally often: (a, b) has the lower ids, so it is merged first.
        var ranks = BpeTrainer.Train(["cd ab cd ab"], 1000, @"\S+").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(258, ranks.Length);
        Assert.Equal("YWI= 256", ranks[256]);
        Assert.Equal("Y2Q= 257", ranks[257]);
        Assert.Throws<ArgumentOutOfRangeException>(() => BpeTrainer.Train(["x"], 255));
    }

    [Fact]
    public void AFewMegabytesTrainInSeconds()
    {
        var text = new[] { TextSamples.Prose(40_000, 1) };
        Assert.InRange(Encoding.UTF8.GetByteCount(text[0]), 2_000_000, 3_000_000);
        var stopwatch = Stopwatch.StartNew();
        var ranks = BpeTrainer.Train(text, 4096);
        Assert.Equal(4096, ranks.Count(c => c == '\n'));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"{text.Sum(t => t.Length)} chars took {stopwatch.Elapsed}");
    }
}
