using P2PNode.Config;

namespace P2PNode.Core.Tests.Config;

public sealed class OverlaySectionTests
{
    private static NodeConfig Load(string toml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"overlay-{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, toml);
        try { return ConfigLoader.Load(path); }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Keys_load()
    {
        var c = Load("[overlay]\ntopic = \"run/7\"\nadvertise_address = \"node.example.org:7700\"\npeer_store = false\n");
        Assert.Equal("run/7", c.Overlay.Topic);
        Assert.Equal("node.example.org:7700", c.Overlay.AdvertiseAddress);
        Assert.False(c.Overlay.PeerStore);
    }

    [Theory]
    [InlineData("topic = \"\"", "overlay.topic: must be 1 to 64 bytes of UTF-8, got 0")]
    [InlineData("topic = \"a\\nb\"", "overlay.topic: must not contain control characters")]
    [InlineData("advertise_address = \"10.0.0.1\"", "overlay.advertise_address")]
    [InlineData("advertise_address = \"10.0.0.1:0\"", "port 0")]
    [InlineData("peer_store = 1", "overlay.peer_store: expected true or false")]
    public void Bad_values_name_the_key(string line, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Load("[overlay]\n" + line + "\n"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0:7700", "127.0.0.1:7700")]
    [InlineData("[::]:7700", "[::1]:7700")]
    [InlineData("10.1.2.3:9000", "10.1.2.3:9000")]
    public void Default_advertised_address_is_the_listen_address_made_dialable(string listen, string expected) =>
        Assert.Equal(expected, new OverlaySection().AdvertisedFor(listen));

    [Fact]
    public void A_configured_advertised_address_wins() =>
        Assert.Equal("a.example:1", new OverlaySection { AdvertiseAddress = "a.example:1" }.AdvertisedFor("0.0.0.0:7700"));
}
