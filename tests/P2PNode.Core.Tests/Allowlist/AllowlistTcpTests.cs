using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Peers;
using P2PNode.Transport;
using P2PNode.Wire;

namespace P2PNode.Core.Tests.Allowlist;

// Permissioned mode over real TCP + Noise on 127.0.0.1, server and clients in this process.
public sealed class AllowlistTcpTests : IAsyncLifetime
{
    // No test here waits for a handshake to time out: room for a loaded machine that stalls a second or more.
    private static readonly TransportOptions Tcp = new() { Listen = ["127.0.0.1:0"], HandshakeTimeout = TimeSpan.FromSeconds(10) };
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly NodeIdentity _federation = NodeIdentity.Generate(), _otherFederation = NodeIdentity.Generate();
    private readonly NodeIdentity _serverId = NodeIdentity.Generate(), _listedId = NodeIdentity.Generate();
    private readonly List<NodeHost> _hosts = [];
    private readonly List<NodeIdentity> _ids = [];
    private NodeHost _server = null!;
    private string _address = "";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var h in _hosts) await h.DisposeAsync();
        foreach (var id in _ids.Concat([_federation, _otherFederation, _serverId, _listedId])) id.Dispose();
    }

    private async Task StartServerAsync(P2PNode.Node.Allowlist allowlist, bool transportAdmit = false)
    {
        var metrics = new NodeMetrics();
        var transport = new TcpTransport(_serverId, Tcp, metrics, NullLogger.Instance) { Admit = transportAdmit ? allowlist.AdmitTransport : null };
        _server = new NodeHost(_serverId, transport, Tcp, metrics, NullLogger.Instance);
        _server.AddAdmission(allowlist.Admission);
        _hosts.Add(_server);
        _address = (await _server.StartAsync(default))[0];
    }

    private P2PNode.Node.Allowlist Federation(NodeMetrics? metrics = null, IEnumerable<AllowlistCertificate>? file = null) =>
        new([_listedId.PeerId], _federation.PublicKey, file, metrics: metrics);

    private async Task<NodeHost> ClientAsync(NodeIdentity id, IReadOnlyList<string>? capabilities = null)
    {
        var client = new NodeHost(id, new TcpTransport(id, Tcp, new NodeMetrics(), NullLogger.Instance), Tcp, new NodeMetrics(), NullLogger.Instance)
        {
            Capabilities = capabilities ?? [],
        };
        _hosts.Add(client);
        await client.StartAsync(default);
        return client;
    }

    private NodeIdentity NewId()
    {
        var id = NodeIdentity.Generate();
        _ids.Add(id);
        return id;
    }

    // Refused after the Hello exchange: the client's session starts, then ends with the server's Disconnect.
    private async Task<PeerSession> RefusedAfterHelloAsync(NodeHost client)
    {
        var session = await client.ConnectAsync(_address, _serverId.PeerId, default);
        await session.Completion.WaitAsync(Patience);
        Assert.Equal(DisconnectReason.NotAllowed, session.EndReason);
        Assert.Empty(_server.Sessions);
        return session;
    }

    [Fact]
    public async Task AListedPeerAndACertifiedMemberAreAdmitted()
    {
        await StartServerAsync(Federation());
        var listed = await ClientAsync(_listedId);
        var s1 = await listed.ConnectAsync(_address, _serverId.PeerId, default);
        Assert.True(await s1.PingAsync(default) >= TimeSpan.Zero);

        var member = NewId();
        var cert = AllowlistCertificate.Issue(_federation, member.PeerId, DateTimeOffset.UtcNow.AddDays(30));
        Assert.All(cert.ToCapabilities(), c => Assert.Equal(62, c.Length));
        var s2 = await (await ClientAsync(member, cert.ToCapabilities())).ConnectAsync(_address, _serverId.PeerId, default);
        Assert.True(await s2.PingAsync(default) >= TimeSpan.Zero);
        Assert.Equal(2, _server.Sessions.Count);
        Assert.Equal(0, _server.Metrics.Get("session_refused_not_allowed"));
    }

    [Fact]
    public async Task AStrangerIsRefusedWithNotAllowedBeforeHelloInIdOnlyMode()
    {
        var metrics = new NodeMetrics();
        await StartServerAsync(new P2PNode.Node.Allowlist([_listedId.PeerId], metrics: metrics));
        var stranger = await ClientAsync(NewId());
        var e = await Assert.ThrowsAsync<SessionException>(() => stranger.ConnectAsync(_address, _serverId.PeerId, default));
        Assert.Equal(DisconnectReason.NotAllowed, e.Reason);
        Assert.Contains("is not on this federation's allowlist", e.Message);
        Assert.Equal(1, _server.Metrics.Get("session_refused_not_allowed"));
        Assert.Equal(1, metrics.Get("allowlist_refused_not_listed"));
    }

    [Fact]
    public async Task AStrangerWithoutCertificateIsRefusedInFederationMode()
    {
        await StartServerAsync(Federation());
        var session = await RefusedAfterHelloAsync(await ClientAsync(NewId()));
        Assert.Contains("presents no membership certificate", session.EndMessage);
        Assert.Equal(1, _server.Metrics.Get("session_refused_not_allowed"));
    }

    [Fact]
    public async Task AnExpiredCertificateIsRefused()
    {
        var metrics = new NodeMetrics();
        await StartServerAsync(Federation(metrics));
        var member = NewId();
        var expiry = DateTimeOffset.UtcNow.AddMinutes(-1);
        var cert = AllowlistCertificate.Issue(_federation, member.PeerId, expiry);
        var session = await RefusedAfterHelloAsync(await ClientAsync(member, cert.ToCapabilities()));
        Assert.StartsWith("membership certificate expired at ", session.EndMessage);
        Assert.Equal(1, metrics.Get("allowlist_refused_expired"));
    }

    [Fact]
    public async Task ACertificateSignedByAnotherKeyIsRefused()
    {
        var metrics = new NodeMetrics();
        await StartServerAsync(Federation(metrics));
        var member = NewId();
        var cert = AllowlistCertificate.Issue(_otherFederation, member.PeerId, DateTimeOffset.UtcNow.AddDays(1));
        var session = await RefusedAfterHelloAsync(await ClientAsync(member, cert.ToCapabilities()));
        Assert.Equal("membership certificate is not signed by this federation's key", session.EndMessage);
        Assert.Equal(1, metrics.Get("allowlist_refused_bad_signature"));
    }

    [Fact]
    public async Task AnotherMembersCertificateDoesNotAdmitAThief()
    {
        await StartServerAsync(Federation());
        var cert = AllowlistCertificate.Issue(_federation, NewId().PeerId, DateTimeOffset.UtcNow.AddDays(1));
        var session = await RefusedAfterHelloAsync(await ClientAsync(NewId(), cert.ToCapabilities()));
        Assert.Equal("membership certificate is not signed by this federation's key", session.EndMessage);
    }

    [Fact]
    public async Task ACertificateFromTheFileAdmitsAMemberThatPresentsNone()
    {
        var member = NewId();
        var path = Path.Combine(Path.GetTempPath(), $"p2pnode-members-{Guid.NewGuid():N}.txt");
        var cert = AllowlistCertificate.Issue(_federation, member.PeerId, DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(path, $"# federation members\n\n{Convert.ToBase64String(cert.ToBytes())}\n");
        try
        {
            var loaded = Assert.Single(AllowlistCertificate.LoadFile(path));
            Assert.Equal(cert, loaded);
            await StartServerAsync(Federation(file: [loaded]));
            var session = await (await ClientAsync(member)).ConnectAsync(_address, _serverId.PeerId, default);
            Assert.True(await session.PingAsync(default) >= TimeSpan.Zero);
            Assert.Single(_server.Sessions);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task TransportAdmitClosesStrangersRightAfterTheHandshake()
    {
        await StartServerAsync(new P2PNode.Node.Allowlist([_listedId.PeerId]), transportAdmit: true);
        var ok = await (await ClientAsync(_listedId)).ConnectAsync(_address, _serverId.PeerId, default);
        Assert.True(await ok.PingAsync(default) >= TimeSpan.Zero);
        var stranger = await ClientAsync(NewId());
        var e = await Assert.ThrowsAsync<SessionException>(() => stranger.ConnectAsync(_address, _serverId.PeerId, default));
        Assert.Equal(DisconnectReason.ProtocolViolation, e.Reason); // closed silently: nothing can be said at that layer
        await WaitForNotAllowedAsync();
    }

    private Task WaitForNotAllowedAsync() =>
        Eventually.UntilAsync(() => _server.Metrics.Get("not_allowed") == 1, "the transport refusal to be counted", Patience,
            () => $"not_allowed = {_server.Metrics.Get("not_allowed")}");

    [Fact]
    public void MalformedCertificateFileLinesAreRejectedNamingTheLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"p2pnode-members-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "# ok\nAAAA\n");
        try
        {
            var e = Assert.Throws<FormatException>(() => AllowlistCertificate.LoadFile(path));
            Assert.Equal($"{path}:2: a membership certificate is 104 bytes, got 3", e.Message);
        }
        finally { File.Delete(path); }
    }
}
