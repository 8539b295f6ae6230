using P2PNode.TestSupport;
using P2PNode.Identity;
using P2PNode.Peers.Scoring;
using P2PNode.Transport;
using P2PNode.Wire;

namespace P2PNode.Core.Tests.Scoring;

/// <summary>Frames below the message layer: malformed ones cost InvalidMessage, valid and unknown-type ones nothing.</summary>
public sealed class ScoredConnectionTests
{
    [Fact]
    public async Task Only_frames_that_do_not_decode_are_offences()
    {
        var network = new MemoryNetwork();
        using var guardId = NodeIdentity.Generate();
        using var peerId = NodeIdentity.Generate();
        await using var guard = new MemoryTransport(guardId.PeerId, network);
        await using var peer = new MemoryTransport(peerId.PeerId, network);
        var inbound = new TaskCompletionSource<IFrameConnection>();
        var address = (await guard.ListenAsync(c => { inbound.TrySetResult(c); return Task.CompletedTask; }, default))[0];
        var scorer = new PeerScorer(new ScoringOptions(), new ManualClock());
        await using var dialled = await peer.DialAsync(address, guardId.PeerId, default);
        await using var scored = new ScoredConnection(await inbound.Task, scorer);

        byte[][] frames = [WireCodec.Encode(new Ping(7)), [0x92, 0xcc, 0xfa, 0x01], [0xc1], [0x92, 0x02, 0xa1, 0x78]];
        await dialled.SendAsync(frames.Select(f => (ReadOnlyMemory<byte>)f).ToList(), default);
        foreach (var expected in frames) Assert.Equal(expected, await scored.ReceiveAsync(default)); // passed through unchanged

        // Ping and the unknown type 250 cost nothing (99 is ConnectRequest since the relay); 0xc1 (never valid MessagePack) and a Ping with a string nonce cost 10 each.
        Assert.Equal(-20, scorer.ScoreOf(peerId.PeerId));
        Assert.Equal(PeerStanding.Good, scorer.StandingOf(peerId.PeerId));
    }
}
