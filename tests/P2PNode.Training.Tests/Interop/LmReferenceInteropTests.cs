using System.Text.Json;
using P2PNode.Training.Data;
using P2PNode.Training.Export;
using P2PNode.Training.Inference;
using P2PNode.Training.Models;
using P2PNode.Training.Text;
using P2PNode.Training.Trainer;
using TorchSharp;

namespace P2PNode.Training.Tests.Interop;

/// <summary>
/// Holds p2pnode's exported language models to tests/interop/lm_reference.py, a NumPy forward pass written from
/// docs/training.md alone: same model hash, same logits. If the code drifts from the documentation, this fails.
/// </summary>
[Collection("torch")]
public sealed class LmReferenceInteropTests
{
    private const double Tolerance = 1e-4;

    private static ModelSpec V2(int layers, int width, int heads, int context, PositionEncoding positions, bool tied) => new()
    {
        Kind = ModelKind.Lm, Tokenizer = "bytes", TokenizerSha256 = ByteTokenizer.Instance.Sha256Hex, Vocabulary = 256,
        Layers = layers, Width = width, Heads = heads, Context = context, Positions = positions, TiedEmbeddings = tied,
    };

    public static TheoryData<string> Variants => [.. Specs.Keys];

    private static readonly Dictionary<string, ModelSpec> Specs = new()
    {
        ["v2-rotary-tied"] = V2(2, 32, 2, 16, PositionEncoding.Rotary, tied: true),
        ["v2-learned-untied"] = V2(2, 32, 4, 16, PositionEncoding.Learned, tied: false),
        // Three heads of size 16: catches a head split that only works for powers of two.
        ["v2-rotary-untied-3heads"] = V2(1, 48, 3, 12, PositionEncoding.Rotary, tied: false),
        ["v1-legacy"] = ModelSpec.Lm() with { Layers = 1, Width = 32, Heads = 2, Context = 16 },
    };

    [SkippableTheory]
    [MemberData(nameof(Variants))]
    public void TheReferenceReproducesTheHashAndLogits(string variant)
    {
        Skip.IfNot(PythonReference.HasNumpy, PythonReference.SkipReason);
        var spec = Specs[variant];
        using var trainer = Trained(spec);
        using (var dir = new TempDir())
            AssertReferenceAgrees($"{variant} trained", dir.Path, Export(trainer, spec, dir.Path), spec.Context);
        // A few steps leave the weights near their 0.02-scale init, where the MLP's inputs are so small that a tanh
        // GELU or a LayerNorm epsilon of 1e-6 moves the logits by under 1e-5: invisible at our tolerance. Spread
        // weights (±0.5 on top) put every nonlinearity in its working range, where those slips cost 1e-4 to 1e-3.
        trainer.SetFlat(Spread(trainer.GetFlat()));
        using (var dir = new TempDir())
            AssertReferenceAgrees($"{variant} spread", dir.Path, Export(trainer, spec, dir.Path), spec.Context);
    }

    [SkippableFact]
    public void TheReferenceRefusesAModelWhoseBytesDoNotMatchItsHash()
    {
        Skip.IfNot(PythonReference.HasNumpy, PythonReference.SkipReason);
        var spec = Specs["v2-rotary-tied"];
        using var dir = new TempDir();
        using (var trainer = Trained(spec)) Export(trainer, spec, dir.Path);
        Assert.Equal(0, PythonReference.Run(dir.Path, [1, 2, 3]).ExitCode);
        var file = Path.Combine(dir.Path, ModelExporter.ModelFile);
        var bytes = File.ReadAllBytes(file);
        var dataStart = 8 + (long)BitConverter.ToUInt64(bytes, 0);
        bytes[dataStart + 4 * 100 + 3] ^= 0x80; // the sign of the 101st float: a plausible value, a different model
        File.WriteAllBytes(file, bytes);

        var result = PythonReference.Run(dir.Path, [1, 2, 3]);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("model hash mismatch", result.Stderr);
        Assert.DoesNotContain("logits", result.Stdout);
    }

    private static void AssertReferenceAgrees(string label, string dir, byte[] hash, int context)
    {
        long[] full = [.. Enumerable.Range(0, context).Select(i => (long)((i * 37 + 11) % 256))];
        long[][] sequences = [full, [72, 101, 108, 108, 111]];
        foreach (var tokens in sequences)
        {
            var ours = Logits(dir, tokens);
            var reference = PythonReference.Run(dir, tokens);
            Assert.True(reference.ExitCode == 0, $"{label}: the reference refused the export: {reference.Stderr}");
            using var json = JsonDocument.Parse(reference.Stdout);
            Assert.True(json.RootElement.GetProperty("hash_ok").GetBoolean());
            Assert.Equal(Convert.ToHexStringLower(hash), json.RootElement.GetProperty("model_hash").GetString());
            var theirs = json.RootElement.GetProperty("logits");
            Assert.Equal(ours.GetLength(0), theirs.GetArrayLength());
            var maxDiff = 0.0;
            var t = 0;
            foreach (var row in theirs.EnumerateArray())
            {
                Assert.Equal(ours.GetLength(1), row.GetArrayLength());
                var v = 0;
                foreach (var x in row.EnumerateArray()) maxDiff = Math.Max(maxDiff, Math.Abs(x.GetDouble() - ours[t, v++]));
                t++;
            }
            Console.WriteLine($"lm reference {label} T={tokens.Length}: max |logit difference| = {maxDiff:E2}");
            Assert.True(maxDiff <= Tolerance, $"{label} T={tokens.Length}: max |logit difference| {maxDiff:E2} > {Tolerance:E0}");
        }
    }

    /// <summary>A few training steps, so the weights are away from their initial values.</summary>
    private static LocalTrainer Trained(ModelSpec spec)
    {
        var text = SyntheticData.Text(8_000, seed: 5);
        var task = new LanguageModelTask(text[..7_000], text[7_000..], spec.Context, seed: 3);
        var trainer = new LocalTrainer(spec, 7, task, new TrainerOptions { BatchSize = 8, Device = "cpu", Beta2 = 0.95, GradientClip = 1.0 });
        var initial = trainer.ModelHash();
        trainer.TrainSteps(5);
        Assert.NotEqual(initial, trainer.ModelHash());
        return trainer;
    }

    /// <summary>The export as `p2pnode export` writes it; returns the model hash.</summary>
    private static byte[] Export(LocalTrainer trainer, ModelSpec spec, string dir)
    {
        var hash = trainer.ModelHash();
        var config = ExportConfig.For(spec, trainer.ParameterCount, hash, run: null, round: null);
        Assert.Equal(ByteTokenizer.Instance.Sha256Hex, config["tokenizer"]!["sha256"]!.GetValue<string>()); // lm/v1 too: it is the byte model
        ModelExporter.Write(dir, spec, trainer.Layout, trainer.GetFlat(), config, provenance: null, tokenizerFile: null);
        return hash;
    }

    private static float[] Spread(float[] flat)
    {
        var rng = new Random(11);
        return [.. flat.Select(x => x + (float)(rng.NextDouble() - 0.5))];
    }

    /// <summary>p2pnode's logits [T, V] for one sequence, through the same loader `p2pnode generate` uses.</summary>
    private static float[,] Logits(string dir, long[] tokens)
    {
        using var model = ExportedModel.Load(dir);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var output = model.Module.forward(torch.tensor(tokens).reshape(1, tokens.Length)).squeeze(0).cpu().contiguous();
        var values = output.data<float>().ToArray();
        var (rows, cols) = ((int)output.shape[0], (int)output.shape[1]);
        var logits = new float[rows, cols];
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < cols; j++) logits[i, j] = values[i * cols + j];
        return logits;
    }
}
