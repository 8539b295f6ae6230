namespace P2PNode.Transport;

/// <summary>A transport failure with a machine-readable <see cref="Error"/> (also the counter name).</summary>
public sealed class TransportException(TransportError error, string message, Exception? inner = null) : Exception(message, inner)
{
    public TransportError Error { get; } = error;

    /// <summary>Counter name, e.g. "handshake_timeout".</summary>
    public string CounterName => ToSnake(Error.ToString());

    internal static string ToSnake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
