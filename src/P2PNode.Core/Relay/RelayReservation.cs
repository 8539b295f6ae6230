using Microsoft.Extensions.Logging;
using P2PNode.Identity;
using P2PNode.Node;
using P2PNode.Peers;
using P2PNode.Transport;
using P2PNode.Wire.Relay;

namespace P2PNode.Relay;

/// <summary>
/// Keeps this node reachable through one relay: holds a session to it (reusing any live one, else dialling),
/// makes a reservation, renews it at half its lifetime, and starts over — with exponential backoff and jitter —
/// whenever the session ends or the relay refuses. Others dial <see cref="RelayedAddress"/>.
/// </summary>
public sealed class RelayReservation(NodeHost host, RelayTransport transport, PeerId relay, string relayEndpoint, ILogger log)
{
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    public PeerId Relay { get; } = relay;

    /// <summary>The address others dial to reach this node through the relay.</summary>
    public string RelayedAddress { get; } = new RelayAddress(relay, relayEndpoint, host.PeerId).ToString();

    /// <summary>The relay's last acceptance, null while no reservation is held.</summary>
    public ReserveOk? Current { get; private set; }

    /// <summary>Raised each time a reservation is made or renewed.</summary>
    public event Action<ReserveOk>? Reserved;

    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = MinBackoff;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var session = host.Sessions.FirstOrDefault(s => s.RemotePeer.Equals(Relay) && !s.Completion.IsCompleted && !RelayAddress.IsRelayed(s.RemoteAddress))
                    ?? await host.ConnectAsync(relayEndpoint, Relay, ct).ConfigureAwait(false);
                while (!session.Completion.IsCompleted)
                {
                    var ok = await transport.ReserveAsync(session, ct).ConfigureAwait(false);
                    if (Current is null) log.Reachable(RelayedAddress, Relay.Short);
                    Current = ok;
                    Reserved?.Invoke(ok);
                    backoff = MinBackoff;
                    var left = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(ok.ExpiresUnixMs, long.MaxValue)) - DateTimeOffset.UtcNow;
                    var renewIn = TimeSpan.FromTicks(Math.Clamp(left.Ticks / 2, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromHours(1).Ticks));
                    await Task.WhenAny(Task.Delay(renewIn, ct), session.Completion).ConfigureAwait(false);
                    ct.ThrowIfCancellationRequested();
                }
                Current = null;
                log.ReservationSessionEnded(Relay.Short);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (ObjectDisposedException) when (ct.IsCancellationRequested) { return; } // the host shut down under us
            catch (Exception e) when (e is TransportException or SessionException or RelayException or TimeoutException or OperationCanceledException)
            {
                Current = null;
                var wait = backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)Math.Max(1, backoff.TotalMilliseconds / 4)));
                log.NoReservation(Relay.Short, e.Message, wait.TotalSeconds);
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
                try { await Task.Delay(wait, ct).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
            }
        }
    }
}
