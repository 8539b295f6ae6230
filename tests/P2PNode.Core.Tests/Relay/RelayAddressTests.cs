using P2PNode.Identity;
using P2PNode.Relay;

namespace P2PNode.Core.Tests.Relay;

public sealed class RelayAddressTests
{
    private static readonly PeerId A = PeerId.FromPublicKey(Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly PeerId B = PeerId.FromPublicKey(Enumerable.Repeat((byte)2, 32).ToArray());

    [Fact]
    public void ParsesAndPrintsTheCanonicalForm()
    {
        var text = $"relay:{A}@192.0.2.2:7700/{B}";
        var parsed = RelayAddress.Parse(text);
        Assert.Equal(A, parsed.Relay);
        Assert.Equal("192.0.2.2:7700", parsed.RelayEndpoint);
        Assert.Equal(B, parsed.Target);
        Assert.Equal(text, parsed.ToString());
        Assert.Equal("[2001:db8::1]:7700", RelayAddress.Parse($"relay:{A}@[2001:db8::1]:7700/{B}").RelayEndpoint);
    }

    [Theory]
    [InlineData("192.0.2.2:7700", "must start with 'relay:'")]
    [InlineData("relay:{A}/{B}", "expected relay:")]
    [InlineData("relay:{A}@/{B}", "relay address must be non-empty")]
    [InlineData("relay:{A}@h:1/x/{B}", "relay address must be non-empty, without")]
    [InlineData("relay:nope@h:1/{B}", "relay peer id")]
    [InlineData("relay:{A}@h:1/{B}x", "target peer id")]
    [InlineData("relay:{A}@h:1/{A}", "same peer")]
    public void RefusesMalformedAddressesWithAReason(string template, string reason)
    {
        var text = template.Replace("{A}", A.ToString()).Replace("{B}", B.ToString());
        Assert.False(RelayAddress.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }
}
