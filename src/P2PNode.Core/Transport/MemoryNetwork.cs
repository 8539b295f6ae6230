using System.Collections.Concurrent;

namespace P2PNode.Transport;

/// <summary>
/// A process-local "network" of <see cref="MemoryTransport"/>s addressed as "mem:N". Used by fast tests and
/// simulations of everything above the transport; identities are taken as given (no crypto in memory).
/// </summary>
public sealed class MemoryNetwork
{
    private readonly ConcurrentDictionary<string, MemoryTransport> _listeners = new(StringComparer.Ordinal);
    private int _next;

    internal string Register(MemoryTransport transport)
    {
        var address = $"mem:{Interlocked.Increment(ref _next)}";
        _listeners[address] = transport;
        return address;
    }

    internal void Unregister(string address) => _listeners.TryRemove(address, out _);

    internal MemoryTransport? Find(string address) => _listeners.GetValueOrDefault(address);
}
