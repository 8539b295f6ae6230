using System.Net;
using P2PNode.Config;
using P2PNode.Node;
using P2PNode.Peers;

namespace P2PNode.Overlay.PeerStore;

/// <summary>
/// Records inbound peers in the peer store when their session starts: a peer that dialled us is reachable at
/// the listen addresses of its Hello, with a wildcard host (0.0.0.0, [::]) replaced by the IP it connected
/// from. (Outbound peers are recorded by <see cref="RecordingTransport"/> at the address we dialled.)
/// </summary>
public sealed class SessionRecorder : IDisposable
{
    private readonly NodeHost _host;
    private readonly SqlitePeerStore _store;
    private readonly TimeProvider _time;

    public SessionRecorder(NodeHost host, SqlitePeerStore store, TimeProvider? time = null)
    {
        _host = host;
        _store = store;
        _time = time ?? TimeProvider.System;
        host.SessionStarted += OnSessionStarted;
    }

    private void OnSessionStarted(PeerSession session)
    {
        if (!session.IsInbound) return;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            foreach (var address in DialableAddresses(session.RemoteHello.ListenAddresses, session.RemoteAddress))
                _store.Seen(session.RemotePeer, address, now);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ArgumentException or ObjectDisposedException or InvalidOperationException)
        {
            // Raised inside NodeHost's SessionStarted: throwing would keep the overlay from seeing the session.
            Interlocked.Increment(ref _storeErrors);
        }
    }

    /// <summary>Store writes that failed; the session goes on regardless.</summary>
    public int StoreErrors => _storeErrors;

    private int _storeErrors;

    /// <summary>The advertised listen addresses made dialable from where the peer connected from; entries
    /// that do not parse are dropped.</summary>
    public static IReadOnlyList<string> DialableAddresses(IReadOnlyList<string> listen, string remoteAddress)
    {
        string? remoteHost = HostPort.TryParse(remoteAddress, requireIpLiteral: true, allowPortZero: true, out var h, out _, out _) ? h : null;
        var result = new List<string>();
        foreach (var a in listen)
        {
            if (!HostPort.TryParse(a, requireIpLiteral: false, allowPortZero: false, out var host, out var port, out _)) continue;
            if (IPAddress.TryParse(host, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
            {
                if (remoteHost is null) continue;
                host = remoteHost;
            }
            var dialable = HostPort.Format(host, port);
            if (!result.Contains(dialable)) result.Add(dialable);
        }
        return result;
    }

    public void Dispose() => _host.SessionStarted -= OnSessionStarted;
}
