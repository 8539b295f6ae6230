using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Peers;
using P2PNode.Relay;
using P2PNode.Transport;
using P2PNode.Wire;
using P2PNode.Wire.Gossip;
using P2PNode.Wire.Relay;

namespace P2PNode.Core.Tests.Relay;

/// <summary>Every limit of the relay is enforced, and hostile relay messages are refused and counted.</summary>
public sealed class RelayLimitTests
{
    private readonly MemoryNetwork _network = new();

    [Fact]
    public async Task ReservationsBeyondTheCapAreRefused()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions { MaxReservations = 1 });
        await using var first = await RelayTestNode.StartAsync(_network);
        await using var second = await RelayTestNode.StartAsync(_network);
        await first.ReserveOnAsync(relay);
        var e = await Assert.ThrowsAsync<RelayException>(() => second.ReserveOnAsync(relay));
        Assert.Equal(RelayStatus.ReservationLimit, e.Status);
        Assert.Equal(1, relay.Metrics.Get("relay_reservation_refused_reservation_limit"));
        // Renewing an existing reservation is not a new one.
        await first.ReserveOnAsync(relay);
        Assert.Equal(2, relay.Metrics.Get("relay_reservations_accepted"));
    }

    [Fact]
    public async Task CircuitsPerReservationAreCapped()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions { MaxCircuitsPerReservation = 1 });
        await using var target = await RelayTestNode.StartAsync(_network);
        await using var a = await RelayTestNode.StartAsync(_network);
        await using var b = await RelayTestNode.StartAsync(_network);
        var address = await target.ReserveOnAsync(relay);
        await a.Host.ConnectAsync(address, target.Id, CancellationToken.None);
        var e = await Assert.ThrowsAsync<TransportException>(() => b.Host.ConnectAsync(address, target.Id, CancellationToken.None));
        Assert.Contains("CircuitLimit", e.Message);
        Assert.Equal(1, relay.Metrics.Get("relay_circuit_refused_circuit_limit"));
    }

    [Fact]
    public async Task CircuitsOnTheWholeRelayAreCapped()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions { MaxCircuits = 1 });
        await using var t1 = await RelayTestNode.StartAsync(_network);
        await using var t2 = await RelayTestNode.StartAsync(_network);
        await using var dialer = await RelayTestNode.StartAsync(_network);
        var a1 = await t1.ReserveOnAsync(relay);
        var a2 = await t2.ReserveOnAsync(relay);
        await dialer.Host.ConnectAsync(a1, t1.Id, CancellationToken.None);
        var e = await Assert.ThrowsAsync<TransportException>(() => dialer.Host.ConnectAsync(a2, t2.Id, CancellationToken.None));
        Assert.Contains("carries its maximum of 1 circuits", e.Message);
        Assert.Equal(1, relay.Metrics.Get("relay_circuit_refused_circuit_limit"));
    }

    [Fact]
    public async Task ATargetThatNeverAnswersTimesOutAtTheRelay()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions { OpenTimeout = TimeSpan.FromMilliseconds(300) });
        await using var dialer = await RelayTestNode.StartAsync(_network);
        // A target that reserves but ignores IncomingCircuit: a bare host with no relay support at all.
        using var silentId = NodeIdentity.Generate();
        await using var silent = new NodeHost(silentId, new MemoryTransport(silentId.PeerId, _network), RelayTestNode.Options, new NodeMetrics(), NullLogger.Instance);
        await silent.StartAsync(CancellationToken.None);
        var reserved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        silent.MessageReceived += (_, m) => { if (m is ReserveOk) reserved.TrySetResult(); return ValueTask.CompletedTask; };
        var session = await silent.ConnectAsync(relay.Address, relay.Id, CancellationToken.None);
        session.TrySend(new ReserveRequest());
        await reserved.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var address = new RelayAddress(relay.Id, relay.Address, silentId.PeerId).ToString();
        var e = await Assert.ThrowsAsync<TransportException>(() => dialer.Host.ConnectAsync(address, silentId.PeerId, CancellationToken.None));
        Assert.Contains("Timeout", e.Message);
        Assert.Equal(1, relay.Metrics.Get("relay_circuit_refused_timeout"));
        Assert.Equal(0, relay.Service!.CircuitCount);
    }

    [Fact]
    public async Task AnEndBuffersAtMostItsCapOfUnreadBytes()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions());
        await using var node = await RelayTestNode.StartAsync(_network);
        var session = await node.Host.ConnectAsync(relay.Address, relay.Id, CancellationToken.None);
        RelayStatus? closed = null;
        using var stream = new CircuitStream(session, 1, maxBuffered: 100, s => closed = s.CloseStatus);
        Assert.True(stream.Deliver(new byte[60]));
        Assert.False(stream.Deliver(new byte[60]));
        var buffer = new byte[100];
        Assert.Equal(60, await stream.ReadAsync(buffer));
        stream.MarkClosed(RelayStatus.FlowControl, "test");
        Assert.Equal(RelayStatus.FlowControl, closed);
        Assert.Equal(0, await stream.ReadAsync(buffer)); // end of stream after close
    }

    [Fact]
    public async Task ACircuitThatCarriesTooManyBytesIsClosed()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions { MaxCircuitBytes = 64 * 1024 });
        await using var target = await RelayTestNode.StartAsync(_network);
        await using var dialer = await RelayTestNode.StartAsync(_network);
        var address = await target.ReserveOnAsync(relay);
        var session = await dialer.Host.ConnectAsync(address, target.Id, CancellationToken.None);
        session.TrySend(new Join(new string('x', 200))); // fine
        for (var i = 0; i < 400; i++) session.TrySend(new Join(new string('y', 250)));
        await session.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, relay.Metrics.Get("relay_circuit_closed_data_limit"));
        Assert.Equal(0, relay.Service!.CircuitCount);
    }

    [Fact]
    public async Task ACircuitIsClosedAfterItsMaximumDuration()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions { MaxCircuitDuration = TimeSpan.FromSeconds(1) });
        await using var target = await RelayTestNode.StartAsync(_network);
        await using var dialer = await RelayTestNode.StartAsync(_network);
        var address = await target.ReserveOnAsync(relay);
        var session = await dialer.Host.ConnectAsync(address, target.Id, CancellationToken.None);
        await session.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, relay.Metrics.Get("relay_circuit_closed_duration_limit"));
    }

    [Fact]
    public async Task OversizedAndMalformedRelayMessagesAreRefusedAndCounted()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions());
        await using var hostile = await RelayTestNode.StartAsync(_network);
        var session = await hostile.Host.ConnectAsync(relay.Address, relay.Id, CancellationToken.None);

        session.TrySendFrame(WireCodec.Encode(new CircuitData(1, new byte[RelayWireLimits.MaxCircuitData + 1])));
        session.TrySendFrame(Convert.FromHexString("936301c41f" + new string('0', 62))); // 31-byte target key
        await Eventually.UntilAsync(() => relay.Metrics.Get("malformed_message") == 2, "both frames are counted as malformed");
        await Eventually.UntilAsync(() => hostile.Metrics.Get("error_received") == 2, "the sender is told twice (Error messages)");
        Assert.Equal(0, relay.Metrics.Get("relay_bytes_forwarded"));
    }

    [Fact]
    public async Task DataForAnUnknownCircuitIsRefusedAndCounted()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions());
        await using var hostile = await RelayTestNode.StartAsync(_network);
        var session = await hostile.Host.ConnectAsync(relay.Address, relay.Id, CancellationToken.None);
        var closes = Capture<CircuitClose>(hostile);
        session.TrySend(new CircuitData(42, [1, 2, 3]));
        session.TrySend(new CircuitOpen(43));
        await Eventually.UntilAsync(() => closes.Count == 2, "two refusals come back");
        Assert.All(closes, c => Assert.Equal(RelayStatus.UnknownCircuit, c.Status));
        Assert.Equal(2, relay.Metrics.Get("relay_unknown_circuit"));
    }

    [Fact]
    public async Task ACircuitToOneselfIsAProtocolViolation()
    {
        await using var relay = await RelayTestNode.StartAsync(_network, new RelayServiceOptions());
        await using var node = await RelayTestNode.StartAsync(_network);
        var session = await node.Host.ConnectAsync(relay.Address, relay.Id, CancellationToken.None);
        await node.Transport.ReserveAsync(session, CancellationToken.None);
        var closes = Capture<CircuitClose>(node);
        session.TrySend(new ConnectRequest(5, node.Id));
        await Eventually.UntilAsync(() => closes.Count == 1, "the refusal comes back");
        Assert.Equal(RelayStatus.ProtocolViolation, closes.Single().Status);
        Assert.Equal(1, relay.Metrics.Get("relay_circuit_refused_protocol_violation"));
    }

    [Fact]
    public async Task ATargetRefusesCircuitsFromARelayItHoldsNoReservationWith()
    {
        await using var rogue = await RelayTestNode.StartAsync(_network);
        await using var target = await RelayTestNode.StartAsync(_network);
        var session = await rogue.Host.ConnectAsync(target.Address, target.Id, CancellationToken.None);
        var closes = Capture<CircuitClose>(rogue);
        session.TrySend(new IncomingCircuit(9, rogue.Id));
        session.TrySend(new CircuitData(10, [1]));
        await Eventually.UntilAsync(() => closes.Count == 2, "both are refused");
        Assert.Equal(RelayStatus.Refused, closes.Single(c => c.CircuitId == 9).Status);
        Assert.Equal(RelayStatus.UnknownCircuit, closes.Single(c => c.CircuitId == 10).Status);
        Assert.Equal(1, target.Metrics.Get("relay_incoming_refused_refused"));
        Assert.Equal(1, target.Metrics.Get("relay_unknown_circuit"));
        Assert.DoesNotContain(target.Host.Sessions, s => RelayAddress.IsRelayed(s.RemoteAddress));
    }

    private static List<T> Capture<T>(RelayTestNode node) where T : WireMessage
    {
        var list = new List<T>();
        node.Host.MessageReceived += (_, m) =>
        {
            if (m is T t) lock (list) list.Add(t);
            return ValueTask.CompletedTask;
        };
        return list;
    }
}
