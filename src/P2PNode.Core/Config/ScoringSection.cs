using P2PNode.Peers.Scoring;

namespace P2PNode.Config;

/// <summary>[scoring]: peer scoring, graylisting, bans and per-peer rate limits (docs/overlay.md, "Defence").
/// The tunables map one to one onto <see cref="ScoringOptions"/>.</summary>
public sealed record ScoringSection
{
    /// <summary>False turns scoring, bans and per-peer rate limits off (a closed lab network, a debugging
    /// session). Connection limits and the allowlist still apply.</summary>
    public bool Enabled { get; init; } = true;

    public ScoringOptions Options { get; init; } = new();
}
