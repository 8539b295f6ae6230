using P2PNode.Training.Data;
using P2PNode.Training.Models;
using P2PNode.Training.Trainer;

namespace P2PNode.Training.Tests;

/// <summary>Small models and synthetic tasks that train in well under a second on a busy CPU.</summary>
internal static class TestModels
{
    public static readonly ModelSpec TinyCnn = new() { Kind = ModelKind.Cnn, ImageSize = 8, Conv1Channels = 4, Conv2Channels = 8, Hidden = 16, Classes = 4 };
    public static readonly ModelSpec TinyMlp = new() { Kind = ModelKind.Mlp, ImageSize = 8, Hidden = 32, HiddenLayers = 1, Classes = 4 };
    public static readonly ModelSpec TinyLm = new() { Kind = ModelKind.Lm, Layers = 1, Width = 32, Heads = 2, Context = 16 };

    public static ClassificationTask Blobs(long seed = 1, int count = 600)
    {
        var data = SyntheticData.Classification(count, classes: 4, sampleShape: [1, 8, 8], seed: 99, noise: 1.0);
        var shard = Partitioner.Iid(data.Labels, 1, seed: 99, heldOutFraction: 0.25)[0];
        return new ClassificationTask(data, shard.Train, shard.HeldOut, seed);
    }

    public static LanguageModelTask MarkovText(long seed = 1)
    {
        var text = SyntheticData.Text(20_000, seed: 5);
        return new LanguageModelTask(text[..18_000], text[18_000..], TinyLm.Context, seed);
    }

    public static LocalTrainer Trainer(ModelSpec spec, long seed = 1, TrainerOptions? options = null) =>
        new(spec, seed, spec.Kind == ModelKind.Lm ? MarkovText() : Blobs(), options ?? new TrainerOptions { BatchSize = 32, Device = "cpu" });
}
