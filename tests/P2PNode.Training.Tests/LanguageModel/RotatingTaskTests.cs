using P2PNode.Training.Models;
using P2PNode.Training.Text;
using P2PNode.Training.Trainer;

namespace P2PNode.Training.Tests.LanguageModel;

/// <summary>The centralized baseline sees each node's batches in turn and is scored on each node's text.</summary>
[Collection("torch")]
public sealed class RotatingTaskTests
{
    [Fact]
    public void TheCentralizedModelTrainsOnEveryNodesTextAndIsScoredOnEach()
    {
        var spec = TestModels.TinyLm;
        var a = new LanguageModelTask(Enumerable.Repeat((byte)'a', 3000).ToArray(), Enumerable.Repeat((byte)'a', 500).ToArray(), spec.Context, 1);
        var b = new LanguageModelTask(Enumerable.Repeat((byte)'b', 3000).ToArray(), Enumerable.Repeat((byte)'b', 500).ToArray(), spec.Context, 2);
        using var trainer = new LocalTrainer(spec, 1, new RotatingTask([a, b]), new TrainerOptions { BatchSize = 4, LearningRate = 1e-2, Device = "cpu" });
        var before = (trainer.Evaluate(a).BitsPerByte!.Value, trainer.Evaluate(b).BitsPerByte!.Value);
        trainer.TrainSteps(40);
        var after = (trainer.Evaluate(a).BitsPerByte!.Value, trainer.Evaluate(b).BitsPerByte!.Value);
        // Both texts are learned (each is one repeated byte): the model saw batches of both.
        Assert.True(after.Item1 < before.Item1 - 3 && after.Item2 < before.Item2 - 3, $"before {before}, after {after}");
        Assert.Throws<NotSupportedException>(() => trainer.Evaluate());
    }

    [Fact]
    public void BitsPerByteCountsTheBytesOfTargetTokensNotTheTokens()
    {
        // A tokenizer whose tokens stand for several bytes: bits per byte is the loss in bits per target token divided
        // by the mean target byte length. With bytes, it is loss / ln 2 exactly.
        var text = string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 400));
        var path = Path.Combine(Path.GetTempPath(), $"p2pnode-bpe-{Guid.NewGuid():N}.tiktoken");
        try
        {
            BpeTrainer.TrainToFile([text], 300, path, TiktokenPatterns.O200k);
            var bpe = Tokenizers.Resolve("file:" + path);
            var ids = bpe.Encode(text);
            Assert.True(ids.Length < text.Length / 2, $"{ids.Length} tokens for {text.Length} bytes");
            var spec = new ModelSpec { Kind = ModelKind.Lm, Layers = 1, Width = 16, Heads = 2, Context = 8, Tokenizer = bpe.Name, TokenizerSha256 = bpe.Sha256Hex, Vocabulary = bpe.VocabularySize, TiedEmbeddings = true };
            var task = new LanguageModelTask(new ArrayTokenStream(ids[..^100]), new ArrayTokenStream(ids[^100..]), bpe, spec.Context, 1);
            using var trainer = new LocalTrainer(spec, 1, task, new TrainerOptions { Device = "cpu" });
            var eval = trainer.Evaluate();
            var windows = (100 - 1) / spec.Context;
            var targetBytes = Enumerable.Range(0, windows).Sum(w => Enumerable.Range(1, spec.Context).Sum(j => bpe.TokenByteLength(ids[^100..][w * spec.Context + j])));
            Assert.Equal(eval.Loss * windows * spec.Context / Math.Log(2) / targetBytes, eval.BitsPerByte!.Value, 9);
            // A node whose data was tokenized differently is refused by the run's spec.
            Assert.Contains("pins tokenizer", Assert.Throws<ArgumentException>(() => task.CheckCompatible(spec with { TokenizerSha256 = new string('0', 64) })).Message);
        }
        finally { File.Delete(path); }
    }
}
