namespace P2PNode.Cli.Commands;

/// <summary>The configuration-related flags of a command, read before any work so that usage errors come first.</summary>
/// <param name="Config">--config F, or null.</param>
/// <param name="Dir">--dir D (meaning D/node.toml), or null.</param>
/// <param name="Overrides">Dotted config keys set by --listen, --data-dir, --passphrase-file, --log-level.</param>
internal sealed record ConfigFlags(string? Config, string? Dir, IReadOnlyDictionary<string, string> Overrides);
