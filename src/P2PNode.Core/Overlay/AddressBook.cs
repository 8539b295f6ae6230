using System.Net;
using P2PNode.Config;
using P2PNode.Identity;

namespace P2PNode.Overlay;

/// <summary>
/// Learns this node's external IP address from what peers observe (Hello.ObservedAddress): each peer id holds
/// one vote, its latest observation; an IP becomes the external address once at least
/// <see cref="MinObservers"/> distinct peers report it and they are a strict majority of all voters. Only the
/// IP counts, not the port: a peer we dialled sees our ephemeral source port, not our listen port.
/// The result is sticky: when no IP has a majority (peers disagree, voters went away) the last winner stays
/// until another IP wins, so a few wrong or lying peers cannot make it flap. Thread-safe.
/// </summary>
public sealed class AddressBook
{
    private readonly object _gate = new();
    private readonly Dictionary<PeerId, (IPAddress Ip, long AtMs)> _votes = [];

    public AddressBook(int minObservers = 2, int capacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minObservers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, minObservers);
        MinObservers = minObservers;
        Capacity = capacity;
    }

    /// <summary>Distinct peers that must agree before an address is believed. 2 or more: one peer alone could lie.</summary>
    public int MinObservers { get; }

    /// <summary>Voters remembered; beyond it the oldest observation is forgotten (bounds memory and lets the
    /// picture follow a change of address).</summary>
    public int Capacity { get; }

    /// <summary>The external IP once learned, else null.</summary>
    public IPAddress? ExternalIp { get { lock (_gate) return _external; } }

    /// <summary>How many distinct peers currently report <see cref="ExternalIp"/>, and how many voters there are.</summary>
    public (int Agreeing, int Voters) Support
    {
        get
        {
            lock (_gate) return (_external is null ? 0 : _votes.Values.Count(v => v.Ip.Equals(_external)), _votes.Count);
        }
    }

    /// <summary>Raised (outside the lock) when <see cref="ExternalIp"/> changes, with the new value.</summary>
    public event Action<IPAddress>? ExternalIpChanged;

    private IPAddress? _external;

    /// <summary>The external address for a listen port, e.g. "203.0.113.7:7700"; null while unknown.</summary>
    public string? ExternalAddressFor(int port)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        return ExternalIp is { } ip ? HostPort.Format(ip.ToString(), port) : null;
    }

    /// <summary>
    /// Records what <paramref name="observer"/> saw. Returns false (recording nothing) when the text is not
    /// "ip:port" with an IP literal, or the IP is unspecified (0.0.0.0, ::) — a DNS name or garbage says
    /// nothing about where we connect from.
    /// </summary>
    public bool Observe(PeerId observer, string observedAddress, long nowMs)
    {
        if (!TryParseIp(observedAddress, out var ip)) return false;
        IPAddress? changed = null;
        lock (_gate)
        {
            _votes[observer] = (ip, nowMs);
            if (_votes.Count > Capacity) _votes.Remove(_votes.MinBy(v => v.Value.AtMs).Key);
            var winner = _votes.Values.GroupBy(v => v.Ip).Select(g => (Ip: g.Key, Count: g.Count())).MaxBy(g => g.Count);
            if (winner.Count >= MinObservers && winner.Count * 2 > _votes.Count && !winner.Ip.Equals(_external))
                changed = _external = winner.Ip;
        }
        if (changed is not null) ExternalIpChanged?.Invoke(changed);
        return true;
    }

    private static bool TryParseIp(string? text, out IPAddress ip)
    {
        ip = IPAddress.None;
        if (text is null || !HostPort.TryParse(text, requireIpLiteral: true, allowPortZero: true, out var host, out _, out _)) return false;
        if (!IPAddress.TryParse(host, out var parsed)) return false;
        if (parsed.IsIPv4MappedToIPv6) parsed = parsed.MapToIPv4();
        if (parsed.Equals(IPAddress.Any) || parsed.Equals(IPAddress.IPv6Any)) return false;
        ip = parsed;
        return true;
    }
}
