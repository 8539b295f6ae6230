using P2PNode.Identity;

namespace P2PNode.Transport;

/// <summary>Produces authenticated frame connections: inbound through the callback given to
/// <see cref="ListenAsync"/>, outbound through <see cref="DialAsync"/>.</summary>
public interface ITransport : IAsyncDisposable
{
    /// <summary>Starts accepting; returns the bound addresses ("host:port", real ports when 0 was asked).</summary>
    Task<IReadOnlyList<string>> ListenAsync(Func<IFrameConnection, Task> onInbound, CancellationToken ct);

    /// <summary>Dials and authenticates. When <paramref name="expected"/> is given and the remote proves another
    /// identity, fails with <see cref="TransportError.IdentityMismatch"/>.</summary>
    Task<IFrameConnection> DialAsync(string address, PeerId? expected, CancellationToken ct);
}
