using P2PNode.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace P2PNode.Training.Inference;

/// <summary>
/// Samples text from a language model, reproducibly: the same model, prompt, settings and seed give the same text on
/// the same machine. Each step runs the model on the last `context` tokens, takes the last position's logits, divides
/// them by the temperature (in double), keeps the top k (ties: lower id first), and draws from their softmax with our
/// own generator (purpose "generate"); temperature 0 takes the argmax. Stops once the new tokens cover the requested
/// bytes, or at the vocabulary's end-of-text token.
/// </summary>
public static class TextGenerator
{
    public sealed record Options(int MaxBytes = 200, double Temperature = 0.8, int TopK = 40, long Seed = 1);

    public static string Generate(ExportedModel model, string prompt, Options options)
    {
        var tokenizer = model.Tokenizer ?? throw new ArgumentException($"{model.Spec.Canonical} is not a language model");
        if (options.MaxBytes < 1) throw new ArgumentException($"max bytes must be >= 1, got {options.MaxBytes}");
        if (!(options.Temperature >= 0) || double.IsInfinity(options.Temperature)) throw new ArgumentException($"temperature must be >= 0, got {options.Temperature}");
        if (options.TopK < 1) throw new ArgumentException($"top-k must be >= 1, got {options.TopK}");
        var context = model.Spec.Context;
        var tokens = new List<int>(tokenizer.Encode(prompt.Length > 0 ? prompt : "\n"));
        var rng = DeterministicRng.ForPurpose(options.Seed, "generate");
        var start = tokens.Count;
        var bytes = 0;
        using var noGrad = torch.no_grad();
        while (bytes < options.MaxBytes)
        {
            float[] logits;
            using (var scope = torch.NewDisposeScope())
            {
                var window = tokens.Skip(Math.Max(0, tokens.Count - context)).Select(t => (long)t).ToArray();
                using var input = torch.tensor(window, [1, window.Length]);
                var output = model.Module.forward(input);
                logits = output[0, window.Length - 1].data<float>().ToArray();
            }
            var next = Pick(logits, options, rng);
            if (next == tokenizer.EndOfTextId) break;
            tokens.Add(next);
            bytes += tokenizer.TokenByteLength(next);
        }
        return tokenizer.Decode(tokens.ToArray().AsSpan(start));
    }

    /// <summary>One sampling step over the last position's logits (see the class summary).</summary>
    public static int Pick(float[] logits, Options options, DeterministicRng rng)
    {
        // Candidates in order of logit, highest first; ties go to the lower id (a stable order on every machine).
        var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).ToArray();
        if (options.Temperature == 0) return order[0];
        var k = Math.Min(options.TopK, order.Length);
        var max = logits[order[0]] / options.Temperature;
        var weights = new double[k];
        double sum = 0;
        for (var i = 0; i < k; i++) sum += weights[i] = Math.Exp(logits[order[i]] / options.Temperature - max);
        var u = rng.NextDouble() * sum;
        for (var i = 0; i < k; i++)
        {
            u -= weights[i];
            if (u < 0) return order[i];
        }
        return order[k - 1];
    }
}
