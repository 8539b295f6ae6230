using System.Net;

namespace P2PNode.Transport;

/// <summary>
/// Caps inbound connections in total and per remote IP. A slot is taken at accept time, before the
/// handshake, so a flood of half-open connections cannot crowd out the limit's purpose.
/// </summary>
public sealed class InboundLimiter(int maxTotal, int maxPerAddress)
{
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private int _total;

    public int Total { get { lock (_perAddress) return _total; } }

    /// <summary>Returns null when a slot was taken, else the reason it was refused.</summary>
    public string? TryAcquire(IPAddress address)
    {
        lock (_perAddress)
        {
            if (_total >= maxTotal) return $"inbound limit of {maxTotal} connections reached";
            _perAddress.TryGetValue(address, out var n);
            if (n >= maxPerAddress) return $"{address} already has {n} connections (limit {maxPerAddress})";
            _perAddress[address] = n + 1;
            _total++;
            return null;
        }
    }

    public void Release(IPAddress address)
    {
        lock (_perAddress)
        {
            _total--;
            if (_perAddress.TryGetValue(address, out var n) && n > 1) _perAddress[address] = n - 1;
            else _perAddress.Remove(address);
        }
    }
}
