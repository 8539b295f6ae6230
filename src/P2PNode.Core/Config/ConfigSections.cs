using System.Globalization;
using Microsoft.Extensions.Logging;
using P2PNode.Transport;

namespace P2PNode.Config;

/// <summary>
/// Every section and key node.toml accepts, with its type, range and cross-field rules. Adding a section
/// ([training], [overlay], [ledger], ...) is one record on <see cref="NodeConfig"/> plus one method here,
/// listed in <see cref="All"/>; anything not listed is an "unknown key/section" error. Ranges are
/// documented in docs/configuration.md — keep both in step.
/// </summary>
internal static class ConfigSections
{
    public static IReadOnlyList<ISectionMap> All { get; } = [Node(), Transport(), Peers(), Overlay(), Relay(), Logging()];

    private static SectionMap<NodeSection> Node() =>
        new SectionMap<NodeSection>("node", c => c.Node, (c, s) => c with { Node = s })
            .Key("data_dir", (s, v) => s with { DataDir = v.AsPath() })
            .Key("key_file", (s, v) => s with { KeyFile = KeyFileName(v) })
            .Key("passphrase_file", (s, v) => s with { PassphraseFile = v.AsOptionalPath() })
            .Key("display_name", (s, v) => s with { DisplayName = Label(v, 64) })
            .Key("organisation", (s, v) => s with { Organisation = Label(v, 128) });

    private static SectionMap<TransportOptions> Transport() =>
        new SectionMap<TransportOptions>("network", c => c.Network, (c, s) => c with { Network = s })
            .Key("listen", (o, v) => o with { Listen = Listen(v) })
            .Key("max_inbound", (o, v) => o with { MaxInbound = v.AsInt(1, 100_000) })
            .Key("max_inbound_per_address", (o, v) => o with { MaxInboundPerAddress = v.AsInt(1, 100_000) })
            .Key("handshake_timeout_ms", (o, v) => o with { HandshakeTimeout = Millis(v, 100, 600_000) })
            .Key("idle_timeout_ms", (o, v) => o with { IdleTimeout = Millis(v, 1_000, 86_400_000) })
            .Key("keepalive_interval_ms", (o, v) => o with { KeepAliveInterval = Millis(v, 100, 3_600_000) })
            .Key("max_frame_size", (o, v) => o with { MaxFrameSize = v.AsInt(64 * 1024, 64 * 1024 * 1024) })
            .Key("send_queue_capacity", (o, v) => o with { SendQueueCapacity = v.AsInt(16, 1_000_000) })
            .Check((o, check) =>
            {
                if (o.MaxInboundPerAddress > o.MaxInbound)
                    check.Fail(Inv($"max_inbound_per_address ({o.MaxInboundPerAddress}) must not exceed max_inbound ({o.MaxInbound})"),
                        "max_inbound_per_address", "max_inbound");
                if (o.KeepAliveInterval >= o.IdleTimeout)
                    check.Fail(Inv($"keepalive_interval_ms ({o.KeepAliveInterval.TotalMilliseconds}) must be less than idle_timeout_ms ({o.IdleTimeout.TotalMilliseconds}), or healthy idle links get closed"),
                        "keepalive_interval_ms", "idle_timeout_ms");
                if (o.HandshakeTimeout >= o.IdleTimeout)
                    check.Fail(Inv($"handshake_timeout_ms ({o.HandshakeTimeout.TotalMilliseconds}) must be less than idle_timeout_ms ({o.IdleTimeout.TotalMilliseconds})"),
                        "handshake_timeout_ms", "idle_timeout_ms");
            });

    private static SectionMap<NetworkSection> Peers() =>
        new SectionMap<NetworkSection>("network", c => c.Peers, (c, s) => c with { Peers = s })
            .Key("bootstrap", (s, v) => s with { Bootstrap = Bootstrap(v) })
            .Key("relay", RelayChoice);

    // "off" | "auto" | "peerid@host:port".
    private static NetworkSection RelayChoice(NetworkSection s, ConfigValue v)
    {
        var text = v.AsString();
        if (text == "off") return s with { Relay = RelayMode.Off, RelayPeer = null };
        if (text == "auto") return s with { Relay = RelayMode.Auto, RelayPeer = null };
        if (!BootstrapPeer.TryParse(text, out var peer, out var error))
            throw v.Error($"must be \"off\", \"auto\" or peerid@host:port; {ConfigValue.Quote(text)}: {error}");
        return s with { Relay = RelayMode.Fixed, RelayPeer = peer };
    }

    private static SectionMap<RelaySection> Relay() =>
        new SectionMap<RelaySection>("relay", c => c.Relay, (c, s) => c with { Relay = s })
            .Key("serve", (s, v) => s with { Serve = v.AsBoolean() })
            .Key("max_reservations", (s, v) => s with { Limits = s.Limits with { MaxReservations = v.AsInt(1, 100_000) } })
            .Key("reservation_ttl_ms", (s, v) => s with { Limits = s.Limits with { ReservationTtl = Millis(v, 10_000, 86_400_000) } })
            .Key("max_circuits_per_reservation", (s, v) => s with { Limits = s.Limits with { MaxCircuitsPerReservation = v.AsInt(1, 10_000) } })
            .Key("max_circuits", (s, v) => s with { Limits = s.Limits with { MaxCircuits = v.AsInt(1, 100_000) } })
            .Key("max_circuit_bytes", (s, v) => s with { Limits = s.Limits with { MaxCircuitBytes = v.AsInteger(65_536, 1L << 40) } })
            .Key("max_circuit_duration_ms", (s, v) => s with { Limits = s.Limits with { MaxCircuitDuration = Millis(v, 1_000, 86_400_000) } });

    private static SectionMap<OverlaySection> Overlay() =>
        new SectionMap<OverlaySection>("overlay", c => c.Overlay, (c, s) => c with { Overlay = s })
            .Key("topic", (s, v) => s with { Topic = Topic(v) })
            .Key("advertise_address", (s, v) => s with { AdvertiseAddress = Advertised(v) })
            .Key("peer_store", (s, v) => s with { PeerStore = v.AsBoolean() });

    private static string Topic(ConfigValue v)
    {
        var s = v.AsString();
        var bytes = System.Text.Encoding.UTF8.GetByteCount(s);
        if (bytes is < 1 or > 64) throw v.Error($"must be 1 to 64 bytes of UTF-8, got {bytes}");
        if (s.Any(char.IsControl)) throw v.Error("must not contain control characters");
        return s;
    }

    // "" = derive from the listen address; otherwise a dialable host:port (IP literal or DNS name, port 1..65535).
    private static string? Advertised(ConfigValue v)
    {
        var s = v.AsString();
        if (s.Length == 0) return null;
        if (!HostPort.TryParse(s, requireIpLiteral: false, allowPortZero: false, out _, out _, out var error))
            throw v.Error($"{ConfigValue.Quote(s)}: {error}");
        return s;
    }

    private static SectionMap<LoggingSection> Logging() =>
        new SectionMap<LoggingSection>("logging", c => c.Logging, (c, s) => c with { Logging = s })
            .Key("level", (s, v) => s with { Level = LogLevelOf(v) });

    private static IReadOnlyList<string> Listen(ConfigValue v)
    {
        var items = v.AsArray(maxCount: 16);
        if (items.Count == 0) throw v.Error("needs at least one address (e.g. \"0.0.0.0:7700\")");
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            var s = item.AsString();
            if (!HostPort.TryParse(s, requireIpLiteral: true, allowPortZero: true, out _, out _, out var error))
                throw item.Error($"{ConfigValue.Quote(s)}: {error}");
            if (!seen.Add(s)) throw item.Error($"{ConfigValue.Quote(s)} is listed twice");
        }
        return items.Select(i => i.AsString()).ToList();
    }

    private static IReadOnlyList<BootstrapPeer> Bootstrap(ConfigValue v)
    {
        var peers = new List<BootstrapPeer>();
        foreach (var item in v.AsArray(maxCount: 1_000))
        {
            var s = item.AsString();
            if (!BootstrapPeer.TryParse(s, out var peer, out var error)) throw item.Error($"{ConfigValue.Quote(s)}: {error}");
            if (peers.Any(p => p.PeerId == peer.PeerId && p.Address == peer.Address)) throw item.Error($"{ConfigValue.Quote(s)} is listed twice");
            peers.Add(peer);
        }
        return peers;
    }

    private static TimeSpan Millis(ConfigValue v, int min, int max) => TimeSpan.FromMilliseconds(v.AsInt(min, max));

    private static string KeyFileName(ConfigValue v)
    {
        var s = v.AsString();
        if (s.Length == 0) throw v.Error("must not be empty (the default is \"node.key\")");
        if (s.Contains('\0')) throw v.Error("must not contain a NUL character");
        if (s.EndsWith('/') || s.EndsWith(Path.DirectorySeparatorChar)) throw v.Error("names a folder; it must name a file");
        return s;
    }

    // Self-chosen display strings: bounded, printable, "" means none.
    private static string? Label(ConfigValue v, int maxLength)
    {
        var s = v.AsString();
        if (s.Length > maxLength) throw v.Error($"at most {maxLength} characters, got {s.Length}");
        if (s.Any(char.IsControl)) throw v.Error("must not contain control characters");
        return s.Length == 0 ? null : s;
    }

    private static LogLevel LogLevelOf(ConfigValue v) => v.AsString() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "information" => LogLevel.Information,
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        var other => throw v.Error($"must be one of trace, debug, information, warning, error; got {ConfigValue.Quote(other)}"),
    };

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
