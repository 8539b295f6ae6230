using P2PNode.Config;
using P2PNode.Identity;

namespace P2PNode.Core.Tests.Config;

/// <summary>[scoring] and [permission] values land in their records; overrides go through the same validators.</summary>
public class DefenceSectionTests
{
    private const string Peer = "p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vui";

    [Fact]
    public void Scoring_keys_map_onto_scoring_options()
    {
        var c = ConfigLoader.Parse("""
            [scoring]
            enabled = false
            graylist_threshold = -30
            ban_threshold = -30
            half_life_ms = 5000
            ban_duration_ms = 2592000000
            invalid_message_penalty = 1
            bad_chunk_penalty = 2
            broken_promise_penalty = 3
            rate_violation_penalty = 0
            forged_signature_penalty = 100
            graylisted_check_interval_ms = 0
            frames_per_second = 7
            frame_burst = 8
            bytes_per_second = 1099511627776
            byte_burst = 4194304
            """, "node.toml", "/srv");
        var o = c.Scoring.Options;
        Assert.False(c.Scoring.Enabled);
        Assert.Equal((-30.0, -30.0), (o.GraylistThreshold, o.BanThreshold));
        Assert.Equal(TimeSpan.FromSeconds(5), o.HalfLife);
        Assert.Equal(TimeSpan.FromDays(30), o.BanDuration);
        Assert.Equal((1.0, 2.0, 3.0, 0.0, 100.0), (o.InvalidMessagePenalty, o.BadChunkPenalty, o.BrokenPromisePenalty, o.RateViolationPenalty, o.ForgedSignaturePenalty));
        Assert.Equal(TimeSpan.Zero, o.GraylistedCheckInterval);
        Assert.Equal((7.0, 8.0, 1099511627776.0, 4194304.0), (o.FramesPerSecond, o.FrameBurst, o.BytesPerSecond, o.ByteBurst));
    }

    [Fact]
    public void Permission_keys_resolve_paths_and_parse_peer_ids()
    {
        var c = ConfigLoader.Parse($"""
            [permission]
            mode = "allowlist"
            peers = ["{Peer}"]
            peers_file = "members.txt"
            federation_key = "{Peer}"
            certificate_file = "/etc/p2p/me.cert"
            """, "node.toml", "/srv/p2p");
        var p = c.Permission;
        Assert.Equal(PermissionMode.Allowlist, p.Mode);
        Assert.Equal([PeerId.Parse(Peer)], p.Peers);
        Assert.Equal("/srv/p2p/members.txt", p.PeersFile);
        Assert.Equal(PeerId.Parse(Peer), p.FederationKey);
        Assert.Equal("/etc/p2p/me.cert", p.CertificateFile);
    }

    [Fact]
    public void Defaults_are_open_and_scoring_on()
    {
        var c = ConfigLoader.Parse("", "node.toml", "/srv");
        Assert.Equal(PermissionMode.Open, c.Permission.Mode);
        Assert.Empty(c.Permission.Peers);
        Assert.Null(c.Permission.FederationKey);
        Assert.True(c.Scoring.Enabled);
        Assert.Equal(-100, c.Scoring.Options.BanThreshold);
    }

    [Fact]
    public void Overrides_use_the_same_rules()
    {
        var defaults = ConfigLoader.Parse("", "node.toml", "/srv");
        var c = ConfigLoader.ApplyOverrides(defaults, new Dictionary<string, string> { ["permission.mode"] = "allowlist", ["permission.peers"] = Peer });
        Assert.Equal([PeerId.Parse(Peer)], c.Permission.Peers);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyOverrides(defaults, new Dictionary<string, string> { ["permission.mode"] = "allowlist" }));
        Assert.Equal("command line: permission.mode: mode \"allowlist\" admits nobody: set peers, peers_file or federation_key", e.Message);
    }
}
