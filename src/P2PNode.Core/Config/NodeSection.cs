namespace P2PNode.Config;

/// <summary>The [node] section. Paths are absolute once loaded.</summary>
public sealed record NodeSection
{
    /// <summary>Folder for the node's state (key, ledger, checkpoints). Absolute.</summary>
    public string DataDir { get; init; } = Path.GetFullPath(".p2pnode");

    /// <summary>The key file as configured; relative values are relative to <see cref="DataDir"/>.</summary>
    public string KeyFile { get; init; } = "node.key";

    /// <summary>Absolute path of the key file (<see cref="KeyFile"/> resolved against <see cref="DataDir"/>).</summary>
    public string KeyFilePath => Path.GetFullPath(KeyFile, DataDir);

    /// <summary>File holding the key's passphrase (absolute), or null when the key is not encrypted.</summary>
    public string? PassphraseFile { get; init; }

    /// <summary>Name shown to peers and auditors, or null. Self-chosen, so never proof of anything.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Institution running the node, or null. Self-declared like <see cref="DisplayName"/>.</summary>
    public string? Organisation { get; init; }
}
