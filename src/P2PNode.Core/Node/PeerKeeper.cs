using Microsoft.Extensions.Logging;
using P2PNode.Identity;
using P2PNode.Peers;
using P2PNode.Transport;

namespace P2PNode.Node;

/// <summary>
/// Keeps a session with one configured peer (a bootstrap peer): dials, pings it periodically (logging the
/// round-trip time), and when the session ends redials with exponential backoff and jitter, so a peer that
/// restarts is found again without hammering it while it is down.
/// </summary>
public sealed class PeerKeeper(NodeHost host, string address, PeerId peer, ILogger log)
{
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = MinBackoff;
        while (!ct.IsCancellationRequested)
        {
            PeerSession session;
            try
            {
                session = await host.ConnectAsync(address, peer, ct).ConfigureAwait(false);
                backoff = MinBackoff;
            }
            catch (Exception e) when (e is TransportException or SessionException)
            {
                var wait = backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)Math.Max(1, backoff.TotalMilliseconds / 4)));
                log.CannotReach(peer.Short, address, e.Message, wait.TotalSeconds);
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
                try { await Task.Delay(wait, ct).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
                continue;
            }
            catch (OperationCanceledException) { return; }
            await PingWhileOpenAsync(session, ct).ConfigureAwait(false);
        }
    }

    private async Task PingWhileOpenAsync(PeerSession session, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && !session.Completion.IsCompleted)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(PingInterval * 2);
                var rtt = await session.PingAsync(timeout.Token).ConfigureAwait(false);
                log.Ping(session.RemotePeer.Short, rtt.TotalMilliseconds);
                await Task.WhenAny(Task.Delay(PingInterval, ct), session.Completion).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) when (e is OperationCanceledException or SessionException)
            {
                log.PingFailed(session.RemotePeer.Short, e.Message);
                await session.CloseAsync(P2PNode.Wire.DisconnectReason.IdleTimeout, "ping timed out").ConfigureAwait(false);
            }
        }
    }
}
