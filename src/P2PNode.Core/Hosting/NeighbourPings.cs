using Microsoft.Extensions.Logging;
using P2PNode.Node;
using P2PNode.Overlay;
using P2PNode.Peers;

namespace P2PNode.Hosting;

/// <summary>Round-trip times to the overlay neighbours every few seconds, logged as "ping &lt;short id&gt;: rtt &lt;ms&gt; ms"
/// (NodeLog 1021, failures 1022): liveness at a glance in an operator's log.</summary>
internal static class NeighbourPings
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(NodeHost host, OverlayService overlay, ILogger log, CancellationToken ct)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            while (true)
            {
                var active = overlay.ActiveView.ToHashSet();
                await Task.WhenAll(host.Sessions.Where(s => active.Contains(s.RemotePeer)).Select(s => PingAsync(s, log, ct)));
                await Task.Delay(Interval, ct);
            }
        }
        catch (OperationCanceledException) { }
    }

    private static async Task PingAsync(PeerSession session, ILogger log, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Interval * 2);
            var rtt = await session.PingAsync(timeout.Token);
            log.Ping(session.RemotePeer.Short, rtt.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e) when (e is OperationCanceledException or SessionException)
        {
            log.PingFailed(session.RemotePeer.Short, e.Message);
        }
    }
}
