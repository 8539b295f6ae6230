using System.Net;
using Microsoft.Extensions.Logging;

namespace P2PNode.Nat;

/// <summary>
/// Keeps one port mapping alive: created by <see cref="StartAsync"/>, renewed at half its granted lifetime
/// (sooner with <see cref="PortMappingKeeperOptions.MaxRenewInterval"/>), retried when a renewal fails, and
/// deleted when disposed. A renewal asks for the public port already held, so the external endpoint stays
/// stable unless the gateway decides otherwise (then <see cref="Changed"/> reports it).
/// </summary>
public sealed class PortMappingKeeper : IAsyncDisposable
{
    private readonly PortMapping _request;
    private readonly PortMappingKeeperOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _lock = new();
    private PortMapping _current;
    private bool _mapped = true;
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    private PortMappingKeeper(IPortMapper mapper, PortMapping request, PortMapping granted, PortMappingKeeperOptions options)
    {
        Mapper = mapper;
        _request = request;
        _current = granted;
        _options = options;
    }

    /// <summary>Creates the mapping (failures propagate: there is nothing to keep) and starts renewing it.</summary>
    public static async Task<PortMappingKeeper> StartAsync(IPortMapper mapper, PortMapping request, PortMappingKeeperOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        ArgumentNullException.ThrowIfNull(request);
        options ??= new PortMappingKeeperOptions();
        options.Validate();
        request.EnsureValidRequest();
        var granted = await mapper.CreateAsync(request, cancellationToken).ConfigureAwait(false);
        var keeper = new PortMappingKeeper(mapper, request, granted, options);
        options.Logger?.Mapped(mapper.Protocol, granted.Protocol, keeper.ExternalEndpoint, granted.PrivatePort, granted.Lifetime);
        keeper._loop = Task.Run(keeper.RenewLoopAsync, CancellationToken.None);
        return keeper;
    }

    /// <summary>The client the mapping is kept with.</summary>
    public IPortMapper Mapper { get; }

    /// <summary>The mapping as last granted.</summary>
    public PortMapping Current { get { lock (_lock) return _current; } }

    /// <summary>False after the mapping expired without a renewal, until a later try succeeds.</summary>
    public bool IsMapped { get { lock (_lock) return _mapped; } }

    /// <summary>Where peers outside reach us: the gateway's external address and the granted public port.</summary>
    public IPEndPoint ExternalEndpoint
    {
        get
        {
            var c = Current;
            return new IPEndPoint(c.PublicAddress ?? IPAddress.Any, c.PublicPort);
        }
    }

    /// <summary>Raised on the keeper's own task after every renewal, failure, loss and the final delete.</summary>
    public event EventHandler<PortMappingEvent>? Changed;

    private async Task RenewLoopAsync()
    {
        var token = _stop.Token;
        var wait = RenewDelay(Current);
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(wait, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var previous = Current;
            try
            {
                // Ask for the port we hold; PublicAddress stays the request's (PCP reads it as a suggestion).
                var renewed = await Mapper.CreateAsync(_request with { PublicPort = previous.PublicPort }, token).ConfigureAwait(false);
                lock (_lock)
                {
                    _current = renewed;
                    _mapped = true;
                }
                _options.Logger?.Renewed(Mapper.Protocol, ExternalEndpoint, renewed.Lifetime);
                Raise(new PortMappingEvent(PortMappingEventKind.Renewed, renewed));
                wait = RenewDelay(renewed);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever went wrong (NatException mostly), the loop must live on: a dead renewal loop
                // would lose the mapping silently.
                var left = previous.Expires - DateTimeOffset.UtcNow;
                var lost = left <= TimeSpan.Zero;
                lock (_lock) if (lost) _mapped = false;
                _options.Logger?.RenewalFailed(Mapper.Protocol, ExternalEndpoint, lost ? "none" : left.ToString(@"hh\:mm\:ss"), e.Message);
                Raise(new PortMappingEvent(lost ? PortMappingEventKind.Lost : PortMappingEventKind.RenewFailed, previous, e));
                // Retry soon enough to land before expiry, but never spin.
                wait = lost ? _options.RetryInterval : Min(_options.RetryInterval, left / 2);
                if (wait < TimeSpan.FromMilliseconds(100)) wait = TimeSpan.FromMilliseconds(100);
            }
        }
    }

    private TimeSpan RenewDelay(PortMapping granted)
    {
        var half = granted.Lifetime / 2;
        return _options.MaxRenewInterval is { } max ? Min(half, max) : half;
    }

    private void Raise(PortMappingEvent e)
    {
        try
        {
            Changed?.Invoke(this, e);
        }
        catch (Exception ex)
        {
            // A faulty subscriber must not stop the renewals.
            _options.Logger?.ChangedHandlerThrew(ex);
        }
    }

    /// <summary>Stops renewing and deletes the mapping, within <see cref="PortMappingKeeperOptions.DeleteTimeout"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        var mapping = Current;
        using var timeout = new CancellationTokenSource(_options.DeleteTimeout);
        try
        {
            await Mapper.DeleteAsync(mapping, timeout.Token).ConfigureAwait(false);
            _options.Logger?.Deleted(Mapper.Protocol, ExternalEndpoint);
            Raise(new PortMappingEvent(PortMappingEventKind.Deleted, mapping));
        }
        catch (Exception e) when (e is NatException or OperationCanceledException or IOException or System.Net.Sockets.SocketException or HttpRequestException)
        {
            _options.Logger?.DeleteFailed(Mapper.Protocol, ExternalEndpoint, e.Message);
            Raise(new PortMappingEvent(PortMappingEventKind.DeleteFailed, mapping, e));
        }
        _stop.Dispose();
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
