using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Training.Export;
using P2PNode.Training.Models;
using P2PNode.Training.Runtime;
using P2PNode.Training.State;
using P2PNode.Training.Text;

namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode export [--config F | --dir D] [--run RUN] --out DIR [--tokenizer-file F] [--force]`: writes the run's current
/// shared model (this node's state: the result of the last round it aggregated) for use outside p2pnode, with the
/// ledger entries that vouch for it (docs/training.md, "Exported models"). Reads the node's data folder only: no key,
/// no network, no running node needed.
/// </summary>
internal static class ExportCommand
{
    public const string Help = "write the run's shared model as safetensors + config.json + provenance.json";

    public static Task<int> RunAsync(Args a) => NodeSetup.Guard("export", () =>
    {
        var output = a.Get("out") ?? throw new UsageException("--out DIR is required (the folder to write the model into)");
        var runText = a.Get("run");
        var tokenizerFile = a.Get("tokenizer-file");
        var force = a.Flag("force");
        var flags = NodeSetup.ReadFlags(a);
        a.EnsureAllUsed();
        var (_, config) = NodeSetup.LoadConfigOnly(flags);
        var dataDir = config.Node.DataDir;
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any() && !force)
            throw new UsageException($"{output} is not empty (use --force to overwrite an earlier export)");
        using var ledger = LedgerStore.Open(Path.Combine(dataDir, Hosting.NodeBuilder.LedgerFile), readOnly: true);
        var (run, genesis) = FindRun(ledger, runText);
        var spec = RunSpec.FromJson(genesis.Hyperparameters);
        var model = spec.ModelSpec();
        var (_, layout, parameters) = GenesisModel.Describe(model, spec.Seed);
        var state = NodeState.Load(Path.Combine(dataDir, "state.bin"), checked((int)parameters))
            ?? throw new InvalidDataException($"{dataDir} has no state.bin: this node has not finished a round of the run yet");
        var hash = ModelHasher.Compute(model.Canonical, layout, state.Model);
        if (!hash.AsSpan().SequenceEqual(state.ModelHash))
            throw new InvalidDataException($"state.bin is damaged: its model hashes to {Convert.ToHexStringLower(hash)[..16]}, it records {Convert.ToHexStringLower(state.ModelHash)[..16]}");
        var round = state.Round == 0 ? (ulong?)null : state.Round - 1;
        var runHex = Convert.ToHexStringLower(run);
        var configJson = ExportConfig.For(model, parameters, hash, runHex, round);
        string? tokenizerCopy = null;
        if (model.Tokenizer.StartsWith(Tokenizers.FilePrefix, StringComparison.Ordinal) && model.Kind == ModelKind.Lm)
        {
            tokenizerCopy = tokenizerFile ?? throw new UsageException($"the run's tokenizer is {model.Tokenizer}: give its rank file with --tokenizer-file so the export is usable on its own");
            var check = Tokenizers.Resolve(Tokenizers.FilePrefix + tokenizerCopy);
            if (check.Sha256Hex != model.TokenizerSha256) throw new UsageException($"{tokenizerCopy} hashes to {check.Sha256Hex[..16]}…, the run pins {model.TokenizerSha256![..16]}…");
        }
        var provenance = ExportProvenance.Find(ledger, run, hash);
        ModelExporter.Write(output, model, layout, state.Model, configJson, provenance, tokenizerCopy);
        var vouching = provenance["aggregations"]!.AsArray().Count;
        Console.Error.WriteLine($"exported {model.Canonical} ({parameters:N0} parameters) after round {(round is { } r ? r.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none (the genesis model)")} to {output}");
        if (vouching == 0 && !hash.AsSpan().SequenceEqual(genesis.InitialModel))
            Console.Error.WriteLine("warning: no Aggregation entry in this node's ledger has this model as its result; provenance.json lists none");
        Console.WriteLine($"model {Convert.ToHexStringLower(hash)} vouched for by {vouching} aggregation entr{(vouching == 1 ? "y" : "ies")}");
        return Task.FromResult(0);
    });

    private static (byte[] Run, RunGenesisBody Genesis) FindRun(LedgerStore ledger, string? runText)
    {
        var runs = ledger.Authors().SelectMany(ledger.AllEntries).Where(e => e.Entry.Body is RunGenesisBody).ToList();
        if (runText is not null)
        {
            var match = runs.FirstOrDefault(e => string.Equals(Convert.ToHexStringLower(e.Hash), runText, StringComparison.OrdinalIgnoreCase))
                ?? throw new UsageException($"run {runText} is not in this node's ledger");
            return (match.Hash, (RunGenesisBody)match.Entry.Body);
        }
        return runs.Count switch
        {
            1 => (runs[0].Hash, (RunGenesisBody)runs[0].Entry.Body),
            0 => throw new UsageException("this node's ledger holds no run"),
            _ => throw new UsageException($"this node's ledger holds {runs.Count} runs: name one with --run ({string.Join(", ", runs.Select(r => Convert.ToHexStringLower(r.Hash)[..16]))}…)"),
        };
    }
}
