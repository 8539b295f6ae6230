using P2PNode.Identity;

namespace P2PNode.Config;

/// <summary>[permission]: permissioned mode for a federation of institutions (docs/overlay.md, "Defence").
/// Paths are absolute once loaded; the files are read when the node starts.</summary>
public sealed record PermissionSection
{
    public PermissionMode Mode { get; init; } = PermissionMode.Open;

    /// <summary>Peer ids always admitted in allowlist mode.</summary>
    public IReadOnlyList<PeerId> Peers { get; init; } = Array.Empty<PeerId>();

    /// <summary>File of further admitted peer ids (one per line, '#' comments), or null.</summary>
    public string? PeersFile { get; init; }

    /// <summary>The federation's Ed25519 key, written as its peer id: peers presenting a membership certificate
    /// it signed (and not expired) are admitted. Null = ids only.</summary>
    public PeerId? FederationKey { get; init; }

    /// <summary>This node's own membership certificate (base64 line), presented in Hello so that permissioned
    /// nodes of the federation admit it. Null = none. Independent of <see cref="Mode"/>.</summary>
    public string? CertificateFile { get; init; }
}
