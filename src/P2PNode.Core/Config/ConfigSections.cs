using System.Globalization;
using Microsoft.Extensions.Logging;
using P2PNode.Identity;
using P2PNode.Peers.Scoring;
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
    public static IReadOnlyList<ISectionMap> All { get; } = [Node(), Transport(), Peers(), Overlay(), Scoring(), Permission(), Relay(), Training(), Logging()];

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
            .Key("bootstrap_file", BootstrapFileChoice)
            .Key("relay", RelayChoice)
            .Key("port_mapping", (s, v) => s with { PortMapping = PortMappingOf(v) });

    // "" = none; the default path may be missing, any other must exist (checked when `run` reads it).
    private static NetworkSection BootstrapFileChoice(NetworkSection s, ConfigValue v) => v.AsString() switch
    {
        "" => s with { BootstrapFile = null, BootstrapFileIsDefault = false },
        var text => s with { BootstrapFile = v.AsPath(), BootstrapFileIsDefault = text == NetworkSection.DefaultBootstrapFile },
    };

    private static PortMappingMode PortMappingOf(ConfigValue v) => v.AsString() switch
    {
        "off" => PortMappingMode.Off,
        "auto" => PortMappingMode.Auto,
        "pcp" => PortMappingMode.Pcp,
        "natpmp" => PortMappingMode.NatPmp,
        "upnp" => PortMappingMode.Upnp,
        var other => throw v.Error($"must be \"off\", \"auto\", \"pcp\", \"natpmp\" or \"upnp\"; got {ConfigValue.Quote(other)}"),
    };

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

    // Thresholds and penalties are whole points: the scale is arbitrary, integers keep the file readable.
    private static SectionMap<ScoringSection> Scoring() =>
        new SectionMap<ScoringSection>("scoring", c => c.Scoring, (c, s) => c with { Scoring = s })
            .Key("enabled", (s, v) => s with { Enabled = v.AsBoolean() })
            .Key("graylist_threshold", (s, v) => Tune(s, o => o with { GraylistThreshold = v.AsInt(-1_000_000, -1) }))
            .Key("ban_threshold", (s, v) => Tune(s, o => o with { BanThreshold = v.AsInt(-1_000_000, -1) }))
            .Key("half_life_ms", (s, v) => Tune(s, o => o with { HalfLife = Millis(v, 1_000, 604_800_000) }))
            .Key("ban_duration_ms", (s, v) => Tune(s, o => o with { BanDuration = TimeSpan.FromMilliseconds(v.AsInteger(1_000, 2_592_000_000)) }))
            .Key("invalid_message_penalty", (s, v) => Tune(s, o => o with { InvalidMessagePenalty = Penalty(v) }))
            .Key("bad_chunk_penalty", (s, v) => Tune(s, o => o with { BadChunkPenalty = Penalty(v) }))
            .Key("broken_promise_penalty", (s, v) => Tune(s, o => o with { BrokenPromisePenalty = Penalty(v) }))
            .Key("rate_violation_penalty", (s, v) => Tune(s, o => o with { RateViolationPenalty = Penalty(v) }))
            .Key("forged_signature_penalty", (s, v) => Tune(s, o => o with { ForgedSignaturePenalty = Penalty(v) }))
            .Key("graylisted_check_interval_ms", (s, v) => Tune(s, o => o with { GraylistedCheckInterval = CheckInterval(v) }))
            .Key("frames_per_second", (s, v) => Tune(s, o => o with { FramesPerSecond = v.AsInt(1, 10_000_000) }))
            .Key("frame_burst", (s, v) => Tune(s, o => o with { FrameBurst = v.AsInt(1, 10_000_000) }))
            .Key("bytes_per_second", (s, v) => Tune(s, o => o with { BytesPerSecond = v.AsInteger(1024, 1L << 40) }))
            .Key("byte_burst", (s, v) => Tune(s, o => o with { ByteBurst = v.AsInteger(1024, 1L << 40) }))
            .Check((s, config, check) =>
            {
                var o = s.Options;
                if (o.BanThreshold > o.GraylistThreshold)
                    check.Fail(Inv($"ban_threshold ({o.BanThreshold}) must not be above graylist_threshold ({o.GraylistThreshold}): a peer is graylisted before it is banned"),
                        "ban_threshold", "graylist_threshold");
                if (o.ByteBurst < config.Network.MaxFrameSize)
                    check.Fail(Inv($"byte_burst ({o.ByteBurst}) must be at least network.max_frame_size ({config.Network.MaxFrameSize}), or a frame of the largest size could never be received"),
                        "byte_burst");
            });

    // 0 = never; otherwise 10 ms (a check per peer every 10 ms is still cheap) to an hour.
    private static TimeSpan CheckInterval(ConfigValue v)
    {
        var ms = v.AsInt(0, 3_600_000);
        if (ms is > 0 and < 10) throw v.Error($"must be 0 (never) or between 10 and 3600000, got {ms}");
        return TimeSpan.FromMilliseconds(ms);
    }

    private static ScoringSection Tune(ScoringSection s, Func<ScoringOptions, ScoringOptions> change) => s with { Options = change(s.Options) };

    private static double Penalty(ConfigValue v) => v.AsInt(0, 1_000_000);

    private static SectionMap<PermissionSection> Permission() =>
        new SectionMap<PermissionSection>("permission", c => c.Permission, (c, s) => c with { Permission = s })
            .Key("mode", (s, v) => s with { Mode = ModeOf(v) })
            .Key("peers", (s, v) => s with { Peers = PeerIds(v) })
            .Key("peers_file", (s, v) => s with { PeersFile = v.AsOptionalPath() })
            .Key("federation_key", (s, v) => s with { FederationKey = OptionalPeerId(v) })
            .Key("certificate_file", (s, v) => s with { CertificateFile = v.AsOptionalPath() })
            .Check((s, check) =>
            {
                var configured = s.Peers.Count > 0 || s.PeersFile is not null || s.FederationKey is not null;
                if (s.Mode == PermissionMode.Allowlist && !configured)
                    check.Fail("mode \"allowlist\" admits nobody: set peers, peers_file or federation_key", "mode");
                if (s.Mode == PermissionMode.Open && configured)
                    check.Fail("peers, peers_file and federation_key only take effect with mode = \"allowlist\"; set the mode, or remove them",
                        "peers", "peers_file", "federation_key", "mode");
            });

    private static PermissionMode ModeOf(ConfigValue v) => v.AsString() switch
    {
        "open" => PermissionMode.Open,
        "allowlist" => PermissionMode.Allowlist,
        var other => throw v.Error($"must be \"open\" or \"allowlist\"; got {ConfigValue.Quote(other)}"),
    };

    private static IReadOnlyList<PeerId> PeerIds(ConfigValue v)
    {
        var ids = new List<PeerId>();
        foreach (var item in v.AsArray(maxCount: 10_000))
        {
            var s = item.AsString();
            if (!PeerId.TryParse(s, out var id, out var error)) throw item.Error($"{ConfigValue.Quote(s)}: {error}");
            if (ids.Contains(id)) throw item.Error($"{ConfigValue.Quote(s)} is listed twice");
            ids.Add(id);
        }
        // Empty stays Array.Empty, so a file saying "peers = []" equals the code default.
        return ids.Count == 0 ? Array.Empty<PeerId>() : ids;
    }

    private static PeerId? OptionalPeerId(ConfigValue v)
    {
        var s = v.AsString();
        if (s.Length == 0) return null;
        return PeerId.TryParse(s, out var id, out var error) ? id : throw v.Error($"{ConfigValue.Quote(s)}: {error}");
    }

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

    private static SectionMap<TrainingSection> Training() =>
        new SectionMap<TrainingSection>("training", c => c.Training, (c, s) => c with { Training = s })
            .Key("data", (s, v) => s with { Data = v.AsOptionalPath() })
            .Key("held_out_percent", (s, v) => s with { HeldOutPercent = v.AsInt(1, 50) })
            .Key("train_bytes", (s, v) => s with { TrainBytes = v.AsInteger(0, long.MaxValue) })
            .Key("device", (s, v) => s with { Device = DeviceOf(v) });

    private static string DeviceOf(ConfigValue v)
    {
        var s = v.AsString();
        var ok = s is "auto" or "cpu" or "cuda" || (s.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(s.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out _));
        return ok ? s : throw v.Error($"must be \"auto\", \"cpu\", \"cuda\" or \"cuda:N\"; got {ConfigValue.Quote(s)}");
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
