using P2PNode.Identity;
using P2PNode.Overlay.PeerStore;

namespace P2PNode.Core.Tests.PeerStore;

public sealed class SqlitePeerStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("peerstore-").FullName;
    private string DbPath => Path.Combine(_dir, "peers.db");

    private static PeerId NewPeer()
    {
        using var id = NodeIdentity.Generate();
        return id.PeerId;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Seen_peers_survive_reopening()
    {
        var a = NewPeer();
        using (var store = SqlitePeerStore.Open(DbPath))
        {
            store.Seen(a, "10.0.0.1:7700", 1_000);
            store.Seen(a, "10.0.0.2:7700", 2_000);
        }
        using var reopened = SqlitePeerStore.Open(DbPath);
        var p = Assert.Single(reopened.Candidates(10));
        Assert.Equal(a, p.Peer);
        Assert.Equal(["10.0.0.2:7700", "10.0.0.1:7700"], p.Addresses); // most recent first
        Assert.Equal(2_000, p.LastSeenMs);
        Assert.Equal(0, p.Failures);
    }

    [Fact]
    public void Failures_count_up_and_a_new_sighting_clears_them()
    {
        using var store = SqlitePeerStore.Open(DbPath);
        var a = NewPeer();
        store.Seen(a, "10.0.0.1:7700", 1_000);
        store.Failed(a);
        store.Failed(a);
        Assert.Equal(2, store.Get(a)!.Failures);
        store.Seen(a, "10.0.0.1:7700", 3_000);
        Assert.Equal(0, store.Get(a)!.Failures);
    }

    [Fact]
    public void A_failure_of_an_unknown_peer_adds_nothing()
    {
        using var store = SqlitePeerStore.Open(DbPath);
        store.Failed(NewPeer());
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Candidates_prefer_fewer_failures_then_recent_sightings()
    {
        using var store = SqlitePeerStore.Open(DbPath);
        var (old, recent, failing) = (NewPeer(), NewPeer(), NewPeer());
        store.Seen(old, "10.0.0.1:1", 1_000);
        store.Seen(recent, "10.0.0.2:1", 5_000);
        store.Seen(failing, "10.0.0.3:1", 9_000);
        store.Failed(failing);
        Assert.Equal([recent, old, failing], store.Candidates(10).Select(p => p.Peer));
        Assert.Equal([recent], store.Candidates(1).Select(p => p.Peer));
    }

    [Fact]
    public void Join_contacts_exclude_self_and_use_the_latest_address()
    {
        using var store = SqlitePeerStore.Open(DbPath);
        var (self, other) = (NewPeer(), NewPeer());
        store.Seen(self, "10.0.0.9:1", 9_000);
        store.Seen(other, "10.0.0.1:1", 1_000);
        store.Seen(other, "10.0.0.1:2", 2_000);
        var contact = Assert.Single(store.JoinContacts(self, 5));
        Assert.Equal(other, contact.Peer);
        Assert.Equal("10.0.0.1:2", contact.Address);
    }

    [Fact]
    public void Addresses_per_peer_are_bounded()
    {
        using var store = SqlitePeerStore.Open(DbPath);
        var a = NewPeer();
        for (var i = 0; i < 10; i++) store.Seen(a, $"10.0.0.{i}:7700", 1_000 + i);
        var p = store.Get(a)!;
        Assert.Equal(SqlitePeerStore.MaxAddressesPerPeer, p.Addresses.Count);
        Assert.Equal("10.0.0.9:7700", p.Addresses[0]);
    }

    [Fact]
    public void Prune_keeps_the_best_peers_and_their_addresses_go_with_the_rest()
    {
        using var store = SqlitePeerStore.Open(DbPath);
        var peers = Enumerable.Range(0, 5).Select(_ => NewPeer()).ToList();
        for (var i = 0; i < peers.Count; i++) store.Seen(peers[i], $"10.0.0.{i}:1", 1_000 * (i + 1));
        Assert.Equal(3, store.Prune(2));
        Assert.Equal([peers[4], peers[3]], store.Candidates(10).Select(p => p.Peer));
        store.Seen(peers[0], "10.0.0.0:1", 10_000); // re-added with only its new address row
        Assert.Equal(["10.0.0.0:1"], store.Get(peers[0])!.Addresses);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void Empty_addresses_are_refused(string? address)
    {
        using var store = SqlitePeerStore.Open(DbPath);
        var e = Assert.Throws<ArgumentException>(() => store.Seen(NewPeer(), address!, 1));
        Assert.Contains("1..256 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlong_addresses_are_refused()
    {
        using var store = SqlitePeerStore.Open(DbPath);
        Assert.Throws<ArgumentException>(() => store.Seen(NewPeer(), new string('a', 250) + ".x:7700", 1));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void A_row_whose_peer_id_no_longer_parses_is_skipped()
    {
        using var store = SqlitePeerStore.Open(DbPath);
        var good = NewPeer();
        store.Seen(good, "10.0.0.1:1", 1);
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "INSERT INTO peers (peer_id, last_seen_ms, failures) VALUES ('garbage', 99, 0)";
            cmd.ExecuteNonQuery();
        }
        Assert.Equal([good], store.Candidates(10).Select(p => p.Peer));
    }

    [Theory]
    [InlineData(new[] { "0.0.0.0:7700" }, "192.168.1.5:40000", new[] { "192.168.1.5:7700" })]
    [InlineData(new[] { "127.0.0.1:7700", "bad", "10.0.0.1:0" }, "127.0.0.1:5", new[] { "127.0.0.1:7700" })]
    [InlineData(new[] { "[::]:7700" }, "[2001:db8::1]:40000", new[] { "[2001:db8::1]:7700" })]
    public void Inbound_peers_are_recorded_at_dialable_addresses(string[] listen, string remote, string[] expected) =>
        Assert.Equal(expected, SessionRecorder.DialableAddresses(listen, remote));
}
