using Microsoft.Extensions.Logging;

namespace P2PNode.Nat;

/// <summary>How a <see cref="PortMappingKeeper"/> renews and deletes.</summary>
public sealed record PortMappingKeeperOptions
{
    /// <summary>
    /// Renew at least this often, even when half the granted lifetime is longer. Null: at half the lifetime
    /// (RFC 6886 section 3.3's advice). A shorter bound notices a rebooted gateway, which lost its mappings,
    /// sooner; tests use it with gateways that stretch short lifetimes (miniupnpd's PCP minimum is 120 s).
    /// </summary>
    public TimeSpan? MaxRenewInterval { get; init; }

    /// <summary>Wait after a failed renewal before the next try (halved when the mapping would expire first).</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bound on the delete at dispose: shutdown must not hang on a gateway that went away.</summary>
    public TimeSpan DeleteTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Renewals and failures are logged here. Null: nowhere.</summary>
    public ILogger? Logger { get; init; }

    internal void Validate()
    {
        if (MaxRenewInterval is { } m && m < TimeSpan.FromMilliseconds(100)) throw new ArgumentException($"MaxRenewInterval must be at least 100 ms, got {m}");
        if (RetryInterval < TimeSpan.FromMilliseconds(100)) throw new ArgumentException($"RetryInterval must be at least 100 ms, got {RetryInterval}");
        if (DeleteTimeout <= TimeSpan.Zero) throw new ArgumentException($"DeleteTimeout must be positive, got {DeleteTimeout}");
    }
}
