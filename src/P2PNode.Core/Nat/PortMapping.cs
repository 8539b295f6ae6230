using System.Net;

namespace P2PNode.Nat;

/// <summary>
/// A port mapping: as a request (PublicPort is a suggestion, 0 = any; Lifetime is the one asked for) and as the
/// gateway's answer (PublicPort, Lifetime and PublicAddress as granted, Expires computed when the answer came).
/// </summary>
public sealed record PortMapping(NatProtocol Protocol, int PrivatePort, int PublicPort, TimeSpan Lifetime, string Description)
{
    /// <summary>When the gateway drops the mapping unless it is renewed (set by the mapper from the granted lifetime).</summary>
    public DateTimeOffset Expires { get; init; } = DateTimeOffset.UtcNow + Lifetime;

    /// <summary>The gateway's external address, when the protocol reports it with the mapping (NAT-PMP does not).</summary>
    public IPAddress? PublicAddress { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> unless this is a request every protocol can carry.</summary>
    public void EnsureValidRequest()
    {
        if (!Enum.IsDefined(Protocol)) throw new ArgumentException($"unknown protocol {Protocol}", nameof(Protocol));
        if (PrivatePort is < 1 or > 65535) throw new ArgumentException($"private port must be 1-65535, got {PrivatePort}", nameof(PrivatePort));
        if (PublicPort is < 0 or > 65535) throw new ArgumentException($"public port must be 0-65535 (0 = any), got {PublicPort}", nameof(PublicPort));
        // Lifetime 0 means "delete" on the wire; a create with it would silently delete, so it is refused here.
        if (Lifetime < TimeSpan.FromSeconds(1) || Lifetime.TotalSeconds > uint.MaxValue)
            throw new ArgumentException($"lifetime must be 1 s to {uint.MaxValue} s, got {Lifetime}", nameof(Lifetime));
        ArgumentNullException.ThrowIfNull(Description);
    }

    /// <summary>Whole seconds of the lifetime, as the wire formats carry it.</summary>
    internal uint LifetimeSeconds => (uint)Math.Clamp(Math.Round(Lifetime.TotalSeconds), 1, uint.MaxValue);
}
