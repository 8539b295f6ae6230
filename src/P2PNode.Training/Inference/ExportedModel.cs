using System.Text.Json.Nodes;
using P2PNode.Training.Export;
using P2PNode.Training.Models;
using P2PNode.Training.State;
using P2PNode.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace P2PNode.Training.Inference;

/// <summary>
/// A trained model loaded for use: from an export folder (config.json + model.safetensors, <see cref="ModelExporter"/>)
/// or a checkpoint file. The weights are checked against the model hash they carry, and a language model's tokenizer
/// against the hash its spec pins.
/// </summary>
public sealed class ExportedModel : IDisposable
{
    private ExportedModel(ModelSpec spec, nn.Module<Tensor, Tensor> module, byte[] hash, TextTokenizer? tokenizer)
    {
        (Spec, Module, ModelHash, Tokenizer) = (spec, module, hash, tokenizer);
    }

    public ModelSpec Spec { get; }
    public nn.Module<Tensor, Tensor> Module { get; }
    public byte[] ModelHash { get; }
    /// <summary>The language model's tokenizer (null for classifiers).</summary>
    public TextTokenizer? Tokenizer { get; }

    /// <param name="path">An export folder or a checkpoint (.safetensors) file.</param>
    /// <param name="tokenizerFile">For a "file:" tokenizer: where its rank file is (default: the export folder's copy).</param>
    public static ExportedModel Load(string path, string? tokenizerFile = null)
    {
        var folder = Directory.Exists(path) ? path : null;
        var file = folder is null ? path : Path.Combine(folder, ModelExporter.ModelFile);
        if (!File.Exists(file)) throw new FileNotFoundException(folder is null ? $"{path}: no such file or folder" : $"{folder} has no {ModelExporter.ModelFile}: not an export folder");
        string canonical;
        using (var peek = File.OpenRead(file))
            canonical = Safetensors.Read(peek).Metadata.GetValueOrDefault("spec") ?? throw new CheckpointException($"{file} has no 'spec' metadata: not a p2pnode checkpoint or export");
        var spec = ModelSpec.Parse(canonical);
        var module = ModelFactory.Create(spec, seed: 0);
        try
        {
            var state = new ModelState(spec, module);
            using var input = File.OpenRead(file);
            var loaded = state.LoadCheckpoint(input); // checks names, shapes and the stored model hash
            module.eval();
            var tokenizer = spec.Kind == ModelKind.Lm ? ResolveTokenizer(spec, folder, tokenizerFile) : null;
            return new ExportedModel(spec, module, loaded.ModelHash, tokenizer);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    private static TextTokenizer ResolveTokenizer(ModelSpec spec, string? folder, string? tokenizerFile)
    {
        var reference = spec.Tokenizer;
        if (reference.StartsWith(Tokenizers.FilePrefix, StringComparison.Ordinal))
        {
            var name = Path.GetFileName(reference[Tokenizers.FilePrefix.Length..]);
            var file = tokenizerFile ?? (folder is null ? null : Path.Combine(folder, name))
                ?? throw new ArgumentException($"the model uses tokenizer {reference}: give its rank file (--tokenizer-file)");
            reference = Tokenizers.FilePrefix + file;
        }
        var tokenizer = Tokenizers.Resolve(reference);
        var pinned = spec.TokenizerSha256 ?? ByteTokenizer.Instance.Sha256Hex;
        if (tokenizer.Sha256Hex != pinned)
            throw new ArgumentException($"tokenizer {tokenizer} does not match the model's pinned sha256 {pinned}");
        return tokenizer;
    }

    /// <summary>config.json's fields for this model when it has no export folder around it (a bare checkpoint).</summary>
    public JsonObject Describe() => ExportConfig.For(Spec, Spec.Kind == ModelKind.Lm ? Spec.ParameterCount() : 0, ModelHash, null, null);

    public void Dispose() => Module.Dispose();
}
