using System.Diagnostics.CodeAnalysis;
using P2PNode.Identity;

namespace P2PNode.Relay;

/// <summary>
/// Where a node that cannot accept connections is reached: <c>relay:&lt;relay peer id&gt;@&lt;relay address&gt;/&lt;target peer id&gt;</c>,
/// e.g. <c>relay:p2p1…@192.0.2.2:7700/p2p1…</c>. The relay address is what the underlying transport dials
/// ("host:port" over TCP); it must not contain '/', '@' or whitespace. Both peer ids pin keys: the relay must
/// prove the first in its handshake, the target the second in the end-to-end handshake through the circuit.
/// </summary>
public sealed record RelayAddress(PeerId Relay, string RelayEndpoint, PeerId Target)
{
    public const string Scheme = "relay:";

    public static bool IsRelayed(string address) => address.StartsWith(Scheme, StringComparison.Ordinal);

    public static RelayAddress Parse(string text) =>
        TryParse(text, out var address, out var error) ? address : throw new FormatException($"invalid relayed address '{text}': {error}");

    public static bool TryParse(string? text, [NotNullWhen(true)] out RelayAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        if (text is null || !IsRelayed(text)) { error = $"must start with '{Scheme}'"; return false; }
        var body = text[Scheme.Length..];
        var at = body.IndexOf('@');
        var slash = body.LastIndexOf('/');
        if (at < 0 || slash < at) { error = "expected relay:<relay id>@<relay address>/<target id>"; return false; }
        if (!PeerId.TryParse(body[..at], out var relay, out var relayError)) { error = $"relay peer id: {relayError}"; return false; }
        var endpoint = body[(at + 1)..slash];
        if (endpoint.Length == 0 || endpoint.Any(c => c is '@' or '/' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            error = "relay address must be non-empty, without '@', '/' or whitespace";
            return false;
        }
        if (!PeerId.TryParse(body[(slash + 1)..], out var target, out var targetError)) { error = $"target peer id: {targetError}"; return false; }
        if (relay.Equals(target)) { error = "the relay and the target are the same peer"; return false; }
        address = new RelayAddress(relay, endpoint, target);
        error = null;
        return true;
    }

    public override string ToString() => $"{Scheme}{Relay}@{RelayEndpoint}/{Target}";
}
