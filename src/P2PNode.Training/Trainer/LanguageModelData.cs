using P2PNode.Training.Models;
using P2PNode.Training.Text;

namespace P2PNode.Training.Trainer;

/// <summary>
/// One node's language-model data: its corpus read, split (the tail held out) and tokenized with the run's tokenizer,
/// which must hash to what the run's spec pins. The one place every command (run, swarm baselines, train --local)
/// turns a corpus path into a <see cref="LanguageModelTask"/>.
/// </summary>
public static class LanguageModelData
{
    /// <summary>The tokenizer a spec pins, resolved on this node and checked against the pin.</summary>
    /// <param name="tokenizerFile">The rank file of a "file:" tokenizer (the run names only its file name and hash).</param>
    public static TextTokenizer Tokenizer(ModelSpec spec, string? tokenizerFile = null)
    {
        if (spec.Kind != ModelKind.Lm) throw new ArgumentException($"{spec.Canonical} is not a language model");
        if (spec.IsLegacyLm) return ByteTokenizer.Instance;
        var reference = spec.Tokenizer;
        if (reference.StartsWith(Tokenizers.FilePrefix, StringComparison.Ordinal))
            reference = Tokenizers.FilePrefix + (tokenizerFile ?? throw new ArgumentException(
                $"the run's tokenizer is {spec.Tokenizer} (sha256 {spec.TokenizerSha256![..16]}…): give this node its rank file (--tokenizer-file)"));
        var tokenizer = Tokenizers.Resolve(reference);
        if (tokenizer.Sha256Hex != spec.TokenizerSha256)
            throw new ArgumentException($"this node's tokenizer {tokenizer.Name} hashes to {tokenizer.Sha256Hex[..16]}…, but the run pins {spec.Tokenizer} sha256 {spec.TokenizerSha256![..16]}…: refusing the run (every node must encode text the same way)");
        return tokenizer;
    }

    /// <summary>The task for one node: its corpus streamed, split (the tail held out) and tokenized with the run's
    /// pinned tokenizer into token files under <paramref name="workDirectory"/> (deleted when the process ends).</summary>
    public static LanguageModelTask Load(ModelSpec spec, CorpusSettings settings, long seed, string? workDirectory = null)
    {
        var tokenizer = Tokenizer(spec, settings.TokenizerFile);
        var directory = workDirectory ?? Path.Combine(Path.GetTempPath(), "p2pnode-tokens");
        // Both parts need at least one window (context + 1 tokens) to train and to score on.
        var corpus = TokenizedCorpus.Build(new CorpusReader([settings.Path]), tokenizer, settings.HeldOutFraction, settings.TrainBytes, directory,
            minimumTokens: spec.Context + 1, trainFraction: settings.TrainFraction, corpusBytes: settings.CorpusBytes);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => corpus.Dispose();
        return new LanguageModelTask(corpus.Train, corpus.HeldOut, tokenizer, spec.Context, seed);
    }
}
