using P2PNode.TestSupport;
using P2PNode.Peers.Scoring;
using P2PNode.Transfer;
using P2PNode.Wire.Transfer;

namespace P2PNode.Core.Tests.Transfer;

/// <summary>
/// A Have binds its sender for HaveLifetime (15 min): a released object is served until then and dropped after;
/// a receiver scores NotFound as a broken promise only within PromiseWindow (10 min) of the Have (docs/transfer.md).
/// </summary>
public sealed class ObjectLifetimeTests : IAsyncLifetime
{
    private readonly TransferTestKit _kit = new();
    private readonly ManualClock _clock = new();
    private readonly byte[] _object = TransferTestKit.Data(20_000, 3);

    public Task InitializeAsync()
    {
        _kit.Options = TransferTestKit.Patient with { Clock = _clock };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    [Fact]
    public async Task AReleasedObjectIsServedWhileItsHaveBindsAndDroppedAfter()
    {
        var node = _kit.Nodes[await _kit.StartAsync(new MemoryChunkStore())].Transfer;
        var m = node.Store.AddObject(_object, 4096);
        var other = node.Store.AddObject(TransferTestKit.Data(5000, 4), 4096);
        node.Announce(m);
        node.Announce(other);
        node.Release(m.Id);
        _clock.Advance(TimeSpan.FromMinutes(14));
        node.Release(m.Id);
        Assert.True(node.Store.IsComplete(m.Id), "dropped while its Have still binds");
        _clock.Advance(TimeSpan.FromMinutes(2));
        node.Announce(other); // any announce or release drops what is due
        Assert.Null(node.Store.GetManifest(m.Id));
        Assert.False(node.Store.HasChunk(m.Id, 0));
        Assert.True(node.Store.IsComplete(other.Id), "an object never released was dropped");
        Assert.Equal(0, node.ReleasedHeld);
    }

    [Fact]
    public async Task AnnouncingAReleasedObjectAgainKeepsIt()
    {
        var node = _kit.Nodes[await _kit.StartAsync(new MemoryChunkStore())].Transfer;
        var m = node.Store.AddObject(_object, 4096);
        node.Announce(m);
        node.Release(m.Id);
        node.Announce(m); // needed again (the same model served for another round)
        _clock.Advance(TimeSpan.FromMinutes(60));
        node.Announce(m);
        Assert.True(node.Store.IsComplete(m.Id));
    }

    [Fact]
    public async Task ADirectoryStoreRemovesTheObjectsFiles()
    {
        var root = Path.Combine(Path.GetTempPath(), $"p2pnode-store-{Guid.NewGuid():N}");
        try
        {
            var store = new DirectoryChunkStore(root);
            var m = store.AddObject(_object, 4096);
            store.Remove(m.Id);
            Assert.Null(store.GetManifest(m.Id));
            Assert.False(Directory.Exists(Path.Combine(root, m.Id.ToString())));
            store.Remove(m.Id); // twice: nothing happens
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Theory]
    [InlineData(9, true)]   // within the promise window: a broken promise
    [InlineData(11, false)] // past it: the holder may have dropped the object by the rules
    public async Task NotFoundIsABrokenPromiseOnlyWithinTenMinutesOfTheHave(int minutes, bool scored)
    {
        var seeder = new MemoryChunkStore();
        var m = seeder.AddObject(_object, 4096);
        var s = await _kit.StartAsync(seeder);
        var f = await _kit.StartAsync(new MemoryChunkStore());
        var holder = await _kit.StartAsync(new MemoryChunkStore()); // announces, then no longer holds it
        await _kit.ConnectAsync(f, s);
        await _kit.ConnectAsync(f, holder);
        _kit.Nodes[holder].Host.Sessions.Single().TrySend(new Have(m.Id, (ulong)m.Size));
        await Eventually.UntilAsync(() => _kit.Nodes[f].Transfer.HoldersOf(m.Id).Count == 1, "the Have");
        _clock.Advance(TimeSpan.FromMinutes(minutes));
        await _kit.Nodes[f].Transfer.FetchAsync(m.Id, [_kit.Nodes[holder].Id.PeerId, _kit.Nodes[s].Id.PeerId], default);
        Assert.Equal(_object, _kit.Nodes[f].Transfer.Store.ReadObject(m.Id));
        var offence = (_kit.Nodes[f].Id.PeerId, _kit.Nodes[holder].Id.PeerId, Offence.BrokenPromise);
        Assert.Equal(scored, _kit.Offences.Contains(offence));
    }
}
