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
            "                   [--run ID --shard I/N [--split S] [--data DIR] [--corpus PATH] [--name N] [--exit-when-done]]\n" +
            "       p2pnode run new ...   create a training run (docs/runtime.md)\n" +
            "runs a node in the gossip overlay until SIGINT/SIGTERM (docs/protocol.md, docs/overlay.md)",
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
    };

    public static bool AsksForHelp(IReadOnlyList<string> argv) => argv.Skip(1).Any(a => a is "--help" or "-h");

    /// <summary>The usage of argv[0] (and of its ledger verb), or the one-line help for commands that keep their own.</summary>
    public static string Of(IReadOnlyList<string> argv, string help)
    {
        if (argv[0] == "ledger") return LedgerCommand.Usage(argv.Skip(1).FirstOrDefault(a => !a.StartsWith('-')));
        return Usages.TryGetValue(argv[0], out var usage) ? usage : $"usage: p2pnode {argv[0]} [options]\n{help}";
    }
}
