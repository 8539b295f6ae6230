namespace P2PNode.Cli.Commands;

/// <summary>
/// What `p2pnode &lt;command&gt; --help` (or `-h`) prints: the command's usage, exit code 0. Kept apart from the
/// parsers so `--help` never reaches <see cref="Args.EnsureAllUsed"/> as an unknown option.
/// </summary>
internal static class CommandUsage
{
    private const string NodeFlags =
        "  --config F | --dir D   node.toml to use (default ./node.toml, else ./.p2pnode/node.toml)\n" +
        "  --passphrase-file F    passphrase of an encrypted key\n";

    private static readonly Dictionary<string, string> Usages = new(StringComparer.Ordinal)
    {
        ["run"] =
            "usage: p2pnode run [--config F | --dir D] [--listen a,b] [--data-dir D] [--bootstrap id@host:port,...]\n" +
            "                   [--passphrase-file F] [--log-level L] [--publish-every MS]\n" +
            "                   [--run ID --shard I/N [--split S] [--data DIR] [--name N] [--exit-when-done]\n" +
            "                    [--corpus PATH] [--held-out-percent P] [--train-bytes N] [--train-fraction F] [--corpus-bytes N]\n" +
            "                    [--tokenizer-file F] [--device cpu|auto|cuda[:N]] [--fail-at-round R]\n" +
            "                    [--byzantine MODE]]\n" +
            "       p2pnode run new ...   create a training run (docs/runtime.md)\n" +
            "runs a node in the gossip overlay until SIGINT/SIGTERM (docs/protocol.md, docs/overlay.md)\n" +
            "test and measurement only: --fail-at-round fails the training thread at round R; --byzantine MODE makes the node\n" +
            "an attacker that lies in its contributions (scale, amplify, signflip, noise, zero, stale, inflate, labelflip, copy,\n" +
            "collude; docs/robustness.md)",
        ["init"] =
            "usage: p2pnode init [--dir D] [--passphrase-file F] [--force-config]\n" +
            "creates a node folder (default ./.p2pnode): a new key (node.key) and a commented node.toml; prints the peer id",
        ["id"] = "usage: p2pnode id [--config F | --dir D] [--passphrase-file F]\nprints this node's peer id\n" + NodeFlags.TrimEnd('\n'),
        ["ping"] =
            "usage: p2pnode ping <host:port> [--peer ID] [--count N] [--timeout-ms MS]\n" +
            "dials a node with a throw-away identity, prints the identity it proves and round-trip times;\n" +
            "with --peer, fails unless the node proves that id",
        ["sim"] = "usage: p2pnode sim overlay --nodes N --churn F [--messages M] [--seed S] [--json out.json] (docs/overlay.md section 8)",
        ["nat"] = NatCommand.Usage,
        ["diloco"] = SimDilocoCommand.Usage,
        ["version"] = "usage: p2pnode version\nprints the version",
        ["train"] = TrainCommand.Usage,
        ["swarm"] = Swarm.SwarmCommand.Usage,
        ["export"] =
            "usage: p2pnode export [--config F | --dir D] [--run RUN] --out DIR [--tokenizer-file F] [--force]\n" +
            "writes the run's shared model (model.safetensors, config.json, provenance.json; docs/training.md \"Exported models\")",
        ["generate"] =
            "usage: p2pnode generate --model EXPORT_OR_CHECKPOINT [--prompt TEXT] [--max-bytes N] [--temperature T] [--top-k K]\n" +
            "                        [--seed S] [--tokenizer-file F] [--threads T]\n" +
            "samples text from a language model; the same seed gives the same text (defaults: 200 bytes, T 0.8, k 40, seed 1)",
        ["tokenizer"] =
            "usage: p2pnode tokenizer info NAME|file:PATH\n" +
            "       p2pnode tokenizer train --vocab N --out FILE PATH...\n" +
            "a tokenizer's vocabulary size and pinned SHA-256; or learn a byte-level BPE rank file from text (docs/training.md)",
    };

    public static bool AsksForHelp(IReadOnlyList<string> argv) => argv.Skip(1).Any(a => a is "--help" or "-h");

    /// <summary>The usage of argv[0] (and of its ledger verb), or the one-line help for commands that keep their own.</summary>
    public static string Of(IReadOnlyList<string> argv, string help)
    {
        if (argv[0] == "ledger") return LedgerCommand.Usage(argv.Skip(1).FirstOrDefault(a => !a.StartsWith('-')));
        return Usages.TryGetValue(argv[0], out var usage) ? usage : $"usage: p2pnode {argv[0]} [options]\n{help}";
    }
}
