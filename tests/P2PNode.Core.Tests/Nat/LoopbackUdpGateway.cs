using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace P2PNode.Core.Tests.Nat;

/// <summary>
/// A scripted NAT-PMP/PCP server on 127.0.0.1 (loopback only): for each request, <c>respond</c> returns the
/// datagrams to send back (none = stay silent). Records every request so tests can check resends and fields.
/// </summary>
internal sealed class LoopbackUdpGateway : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackUdpGateway(Func<byte[], int, IEnumerable<byte[]>> respond)
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Endpoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = Task.Run(async () =>
        {
            var buffer = new byte[2048];
            while (!_stop.IsCancellationRequested)
            {
                SocketReceiveFromResult r;
                try
                {
                    r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }
                var request = buffer.AsSpan(0, r.ReceivedBytes).ToArray();
                Requests.Enqueue(request);
                foreach (var reply in respond(request, Requests.Count))
                    await _socket.SendToAsync(reply, SocketFlags.None, r.RemoteEndPoint);
            }
        });
    }

    public IPEndPoint Endpoint { get; }

    public ConcurrentQueue<byte[]> Requests { get; } = new();

    /// <summary>A loopback UDP port with nobody on it (bound, then closed): requests there draw ICMP port unreachable.</summary>
    public static IPEndPoint ClosedPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)s.LocalEndPoint!;
    }

    /// <summary>A NAT-PMP answer to <paramref name="request"/>: success, granting the suggested port (or the internal one) for <paramref name="lifetime"/> s.</summary>
    public static byte[] NatPmpGrant(byte[] request, uint lifetime, ushort result = 0)
    {
        if (request[1] == 0) return [0, 128, 0, (byte)result, 0, 0, 0, 9, 192, 0, 2, 1];
        var reply = new byte[16];
        reply[1] = (byte)(128 + request[1]);
        reply[3] = (byte)result;
        reply[7] = 9; // epoch
        request.AsSpan(4, 2).CopyTo(reply.AsSpan(8)); // internal port
        var requested = (uint)(request[8] << 24 | request[9] << 16 | request[10] << 8 | request[11]);
        var granted = requested == 0 ? 0 : lifetime;
        if (granted != 0)
        {
            var suggestedIsZero = request[6] == 0 && request[7] == 0;
            request.AsSpan(suggestedIsZero ? 4 : 6, 2).CopyTo(reply.AsSpan(10)); // external port (0 after a delete)
        }
        reply[12] = (byte)(granted >> 24); reply[13] = (byte)(granted >> 16); reply[14] = (byte)(granted >> 8); reply[15] = (byte)granted;
        return reply;
    }

    /// <summary>A PCP answer to <paramref name="request"/> (ANNOUNCE or MAP), echoing the nonce unless told otherwise.</summary>
    public static byte[] PcpGrant(byte[] request, uint lifetime, byte result = 0, byte[]? nonce = null)
    {
        var reply = new byte[request[1] == 1 ? 60 : 24];
        reply[0] = 2;
        reply[1] = (byte)(0x80 | request[1]);
        reply[3] = result;
        var requested = (uint)(request[4] << 24 | request[5] << 16 | request[6] << 8 | request[7]);
        var granted = requested == 0 ? 0 : lifetime;
        reply[4] = (byte)(granted >> 24); reply[5] = (byte)(granted >> 16); reply[6] = (byte)(granted >> 8); reply[7] = (byte)granted;
        reply[11] = 7; // epoch
        if (request[1] == 1)
        {
            (nonce ?? request.AsSpan(24, 12).ToArray()).CopyTo(reply.AsSpan(24));
            reply[36] = request[36];
            request.AsSpan(40, 2).CopyTo(reply.AsSpan(40));
            request.AsSpan(40, 2).CopyTo(reply.AsSpan(42));
            new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1 }.CopyTo(reply.AsSpan(44));
        }
        return reply;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
