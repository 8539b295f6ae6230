using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using P2PNode.Identity;

namespace P2PNode.Config;

/// <summary>
/// A peer to dial at start-up, written <c>peerid@host:port</c>. The peer id pins the key the peer must
/// prove in the handshake, so a wrong or hijacked address cannot impersonate it.
/// </summary>
/// <param name="Host">IP literal (IPv6 without brackets) or DNS name.</param>
public sealed record BootstrapPeer(PeerId PeerId, string Host, int Port)
{
    public static BootstrapPeer Parse(string text) =>
        TryParse(text, out var peer, out var error) ? peer : throw new FormatException($"invalid bootstrap peer: {error}");

    public static bool TryParse(string? text, [NotNullWhen(true)] out BootstrapPeer? peer, [NotNullWhen(false)] out string? error)
    {
        peer = null;
        var at = text?.IndexOf('@') ?? -1;
        if (text is null || at < 0 || at != text.LastIndexOf('@'))
        {
            error = "expected peerid@host:port (exactly one '@')";
            return false;
        }
        if (!PeerId.TryParse(text[..at], out var id, out var idError))
        {
            error = $"peer id: {idError}";
            return false;
        }
        if (!HostPort.TryParse(text[(at + 1)..], requireIpLiteral: false, allowPortZero: false, out var host, out var port, out var addressError))
        {
            error = $"address: {addressError}";
            return false;
        }
        peer = new BootstrapPeer(id, host, port);
        error = null;
        return true;
    }

    /// <summary>"host:port", with IPv6 hosts in brackets.</summary>
    public string Address => HostPort.Format(Host, Port);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{PeerId}@{Address}");
}
