using P2PNode.Config;

namespace P2PNode.Core.Tests.Relay;

public sealed class RelayConfigTests
{

    private static NodeConfig Parse(string toml) => ConfigLoader.Parse(toml, "/srv/x/node.toml");

    [Fact]
    public void RelayIsOffByDefaultAndParsesEveryForm()
    {
        Assert.Equal(RelayMode.Off, Parse("").Peers.Relay);
        Assert.Equal(RelayMode.Auto, Parse("[network]\nrelay = \"auto\"\n").Peers.Relay);
        var id = P2PNode.Identity.PeerId.FromPublicKey(new byte[32]).ToString();
        var fixedRelay = Parse($"[network]\nrelay = \"{id}@192.0.2.2:7700\"\n").Peers;
        Assert.Equal(RelayMode.Fixed, fixedRelay.Relay);
        Assert.Equal("192.0.2.2:7700", fixedRelay.RelayPeer!.Address);
    }

    [Fact]
    public void ABadRelayValueNamesTheLineAndTheForms()
    {
        var e = Assert.Throws<ConfigException>(() => Parse("[network]\nrelay = \"sometimes\"\n"));
        Assert.StartsWith("/srv/x/node.toml:2: network.relay: must be \"off\", \"auto\" or peerid@host:port", e.Message);
    }

    [Fact]
    public void RelayServiceKeysMapOntoTheOptionsWithRanges()
    {
        var r = Parse("[relay]\nserve = true\nmax_reservations = 3\nmax_circuit_bytes = 100000\nmax_circuit_duration_ms = 5000\n").Relay;
        Assert.True(r.Serve);
        Assert.Equal(3, r.Limits.MaxReservations);
        Assert.Equal(100_000, r.Limits.MaxCircuitBytes);
        Assert.Equal(TimeSpan.FromSeconds(5), r.Limits.MaxCircuitDuration);
        var e = Assert.Throws<ConfigException>(() => Parse("[relay]\nmax_circuit_bytes = 10\n"));
        Assert.Contains("relay.max_circuit_bytes", e.Message);
    }
}
