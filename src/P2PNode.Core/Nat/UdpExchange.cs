using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace P2PNode.Nat;

/// <summary>
/// One UDP socket connected to a gateway's port 5351, sending a request and resending it on the
/// <see cref="RetransmitPolicy"/> schedule until a reply is accepted or the total timeout passes.
/// Exchanges are serialized: NAT-PMP and PCP replies carry no request id, so only one may be in flight.
/// </summary>
internal sealed class UdpExchange : IDisposable
{
    private readonly Socket _socket;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _protocol;

    public UdpExchange(string protocol, IPEndPoint gateway, IPAddress? localAddress)
    {
        _protocol = protocol;
        Gateway = gateway;
        _socket = new Socket(gateway.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(new IPEndPoint(localAddress ?? (gateway.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any), 0));
            // Connecting filters out datagrams from anyone but the gateway and makes the kernel pick our source
            // address, which PCP must put in the request (and secure-mode gateways compare with the sender).
            _socket.Connect(gateway);
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw new NatException(protocol, NatErrorKind.Unreachable, $"cannot reach gateway {gateway}: {e.Message}", e);
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint Gateway { get; }

    /// <summary>Our address and port as the gateway sees them (on the LAN side).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the first reply <paramref name="accept"/> maps to a value.
    /// <paramref name="accept"/> returns null for a datagram that is not the answer to this request (a late
    /// reply to an earlier one) and throws for one that is malformed.
    /// </summary>
    public async Task<T> RequestAsync<T>(byte[] request, string what, Func<ReadOnlyMemory<byte>, T?> accept, RetransmitPolicy policy,
        CancellationToken cancellationToken) where T : class
    {
        policy.Validate();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var buffer = new byte[1100]; // RFC 6887: PCP messages are at most 1100 bytes; NAT-PMP ones far less.
            // Exchanges run one at a time, so anything already queued is a late (duplicate) reply to an earlier
            // request: drop it, or this request would read the previous one's answer.
            while (_socket.Available > 0) _socket.Receive(buffer);
            var clock = Stopwatch.StartNew();
            var wait = policy.InitialTimeout;
            var attempts = 0;
            // A last attempt needs a useful window; a few milliseconds left is not worth another datagram.
            while (policy.TotalTimeout - clock.Elapsed > TimeSpan.FromMilliseconds(10))
            {
                attempts++;
                await SendAsync(request, cancellationToken).ConfigureAwait(false);
                var attemptEnd = clock.Elapsed + wait;
                if (attemptEnd > policy.TotalTimeout) attemptEnd = policy.TotalTimeout;
                while (true)
                {
                    var left = attemptEnd - clock.Elapsed;
                    if (left <= TimeSpan.Zero) break;
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(left);
                    int n;
                    try
                    {
                        n = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // Timers may fire a little before the stopwatch agrees; the loop head decides whether
                        // this attempt's wait is really over (then resend) or a sliver remains.
                        continue;
                    }
                    catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable)
                    {
                        // ICMP says nobody listens on 5351 (or no route): waiting longer cannot help.
                        throw new NatException(_protocol, NatErrorKind.Unreachable, $"{what}: gateway {Gateway} is unreachable ({e.SocketErrorCode})", e);
                    }
                    var reply = accept(buffer.AsMemory(0, n));
                    if (reply is not null) return reply;
                }
                wait = wait * 2 > policy.MaxTimeout ? policy.MaxTimeout : wait * 2;
            }
            throw new NatTimeoutException(_protocol, what + " from " + Gateway, attempts, clock.Elapsed);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task SendAsync(byte[] request, CancellationToken cancellationToken)
    {
        try
        {
            await _socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new NatException(_protocol, NatErrorKind.Unreachable, $"cannot send to gateway {Gateway}: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _gate.Dispose();
    }
}
