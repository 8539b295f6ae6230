using System.Collections.Concurrent;
using System.Text;
using P2PNode.Peers;
using P2PNode.Relay;
using P2PNode.Transport;
using P2PNode.Wire;
using P2PNode.Wire.Gossip;
using P2PNode.Wire.Relay;

namespace P2PNode.Core.Tests.Relay;

/// <summary>Reservations, circuits and the end-to-end Noise session through a relay, on real nodes over memory links.</summary>
public sealed class RelayCircuitTests
{
    private readonly MemoryNetwork _network = new();

    [Fact]
    public async Task AReservationYieldsTheRelayedAddress()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions());
        await using var target = await RelayTestNode.StartAsync(_network);
        var address = await target.ReserveOnAsync(relay);
        Assert.Equal($"relay:{relay.Id}@{relay.Address}/{target.Id}", address);
        Assert.Equal(1, relay.Metrics.Get("relay_reservations_accepted"));
        Assert.Equal(1, relay.Service!.ReservationCount);
        Assert.Contains(relay.Id, target.Transport.ReservedRelays);
    }

    [Fact]
    public async Task ADialerReachesTheTargetThroughTheRelayWithNoiseEndToEnd()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions());
        await using var target = await RelayTestNode.StartAsync(_network);
        await using var dialer = await RelayTestNode.StartAsync(_network);
        var address = await target.ReserveOnAsync(relay);

        var session = await dialer.Host.ConnectAsync(address, target.Id, CancellationToken.None);
        Assert.Equal(target.Id, session.RemotePeer);
        await session.PingAsync(CancellationToken.None);
        await Eventually.UntilAsync(() => target.Host.Sessions.Any(s => s.RemotePeer == dialer.Id), "the target has the session");
        var inbound = target.Host.Sessions.Single(s => s.RemotePeer == dialer.Id);
        Assert.True(inbound.IsInbound);
        Assert.StartsWith($"relay:{relay.Id}@", inbound.RemoteAddress);
        Assert.Equal(1, relay.Metrics.Get("relay_circuits_opened"));
        Assert.Equal(1, target.Metrics.Get("relay_incoming_circuits_accepted"));
        Assert.True(relay.Metrics.Get("relay_bytes_forwarded") > 0);

        // Closing the end-to-end session closes the circuit at the relay.
        await session.CloseAsync(DisconnectReason.Normal, "done");
        await Eventually.UntilAsync(() => relay.Service!.CircuitCount == 0, "the relay dropped the circuit");
        Assert.Equal(1, relay.Metrics.Get("relay_circuit_closed_normal"));
    }

    [Fact]
    public async Task TheRelaySeesOnlyCiphertext()
    {
        var seenByRelay = new ConcurrentQueue<byte[]>();
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions(), c => new Tap(c, seenByRelay));
        await using var target = await RelayTestNode.StartAsync(_network);
        await using var dialer = await RelayTestNode.StartAsync(_network);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        target.Host.MessageReceived += (_, m) =>
        {
            if (m is Join j) received.TrySetResult(j.Address);
            return ValueTask.CompletedTask;
        };
        var address = await target.ReserveOnAsync(relay);
        var session = await dialer.Host.ConnectAsync(address, target.Id, CancellationToken.None);

        const string secret = "plaintext-marker-7d3f9a";
        Assert.True(session.TrySend(new Join(secret)));
        Assert.Equal(secret, await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        var marker = Encoding.UTF8.GetBytes(secret);
        var frames = seenByRelay.ToArray();
        Assert.Contains(frames, f => WireCodec.Decode(f) is CircuitData);
        Assert.DoesNotContain(frames, f => f.AsSpan().IndexOf(marker) >= 0);
        // The Hello each end sent also crossed the relay encrypted: the target's peer id text never appears in clear.
        Assert.DoesNotContain(frames.Where(f => WireCodec.Decode(f) is CircuitData), f => f.AsSpan().IndexOf(Encoding.UTF8.GetBytes("p2pnode")) >= 0);
    }

    [Fact]
    public async Task AReservationSurvivesTheCloseOfADuplicateSession()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions());
        await using var target = await RelayTestNode.StartAsync(_network);
        await using var dialer = await RelayTestNode.StartAsync(_network);
        var first = await target.Host.ConnectAsync(relay.Address, relay.Id, CancellationToken.None);
        var address = (await target.Transport.ReserveAsync(first, CancellationToken.None)).RelayedAddress;
        await target.Host.ConnectAsync(relay.Address, relay.Id, CancellationToken.None);
        await first.CloseAsync(DisconnectReason.DuplicateConnection, "duplicate connection");
        await Eventually.UntilAsync(() => relay.Host.Sessions.Count(s => s.RemotePeer == target.Id) == 1, "the relay sees one session");

        var session = await dialer.Host.ConnectAsync(address, target.Id, CancellationToken.None);
        await session.PingAsync(CancellationToken.None);
        Assert.Equal(1, relay.Service!.ReservationCount);
    }

    [Fact]
    public async Task ATargetWithoutAReservationCannotBeReached()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions());
        await using var target = await RelayTestNode.StartAsync(_network);
        await using var dialer = await RelayTestNode.StartAsync(_network);
        var address = new RelayAddress(relay.Id, relay.Address, target.Id).ToString();
        var e = await Assert.ThrowsAsync<TransportException>(() => dialer.Host.ConnectAsync(address, target.Id, CancellationToken.None));
        Assert.Contains("NoReservation", e.Message);
        Assert.Equal(1, relay.Metrics.Get("relay_circuit_refused_no_reservation"));
        Assert.Equal(1, dialer.Metrics.Get("relay_dial_failed_no_reservation"));
    }

    [Fact]
    public async Task ANodeWithoutRelayServiceRefusesReservations()
    {
        await using var plain = await RelayTestNode.StartAsync(_network);
        await using var target = await RelayTestNode.StartAsync(_network);
        var e = await Assert.ThrowsAsync<RelayException>(() => target.ReserveOnAsync(plain));
        Assert.Equal(RelayStatus.Disabled, e.Status);
        Assert.Equal(1, plain.Metrics.Get("relay_reservation_refused_disabled"));
    }

    [Fact]
    public async Task AWrongExpectedIdentityIsRefusedBeforeAnyTraffic()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions());
        await using var target = await RelayTestNode.StartAsync(_network);
        await using var dialer = await RelayTestNode.StartAsync(_network);
        var address = await target.ReserveOnAsync(relay);
        var e = await Assert.ThrowsAsync<TransportException>(() => dialer.Host.ConnectAsync(address, relay.Id, CancellationToken.None));
        Assert.Equal(TransportError.IdentityMismatch, e.Error);
    }

    /// <summary>Records every frame a connection receives (what the relay node sees after its own decryption).</summary>
    private sealed class Tap(IFrameConnection inner, ConcurrentQueue<byte[]> seen) : IFrameConnection
    {
        public P2PNode.Identity.PeerId RemotePeer => inner.RemotePeer;
        public string RemoteAddress => inner.RemoteAddress;
        public bool IsInbound => inner.IsInbound;
        public ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> frames, CancellationToken ct)
        {
            foreach (var f in frames) seen.Enqueue(f.ToArray());
            return inner.SendAsync(frames, ct);
        }

        public async ValueTask<byte[]?> ReceiveAsync(CancellationToken ct)
        {
            var frame = await inner.ReceiveAsync(ct);
            if (frame is not null) seen.Enqueue(frame);
            return frame;
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
