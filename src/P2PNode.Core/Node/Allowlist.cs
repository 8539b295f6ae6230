using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Wire;

namespace P2PNode.Node;

/// <summary>
/// Permissioned mode for a federation: a peer is admitted when its id is on the list, or it holds a membership
/// certificate signed by the federation key that has not expired, either in the certificate file given here or
/// in its Hello capabilities. Everyone else is refused with Disconnect(NotAllowed) (counted per reason as
/// allowlist_refused_*). Install with <see cref="NodeHost.AddAdmission"/>(<see cref="Admission"/>); optionally
/// also <see cref="Transport.TcpTransport.Admit"/> = <see cref="AdmitTransport"/> to close id-refused
/// connections before any application frame (silently: nothing can be said at that layer).
/// </summary>
public sealed class Allowlist
{
    private readonly HashSet<PeerId> _peers;
    private readonly byte[]? _federationKey;
    private readonly Dictionary<PeerId, AllowlistCertificate> _fileCertificates = [];
    private readonly TimeProvider _time;
    private readonly NodeMetrics? _metrics;

    /// <param name="peers">Peer ids always admitted.</param>
    /// <param name="federationKey">32-byte Ed25519 public key whose certificates admit their members; null for id-only mode.</param>
    /// <param name="certificates">Certificates held locally (from a file); checked against the federation key.</param>
    public Allowlist(IEnumerable<PeerId> peers, byte[]? federationKey = null, IEnumerable<AllowlistCertificate>? certificates = null,
        TimeProvider? time = null, NodeMetrics? metrics = null)
    {
        if (federationKey is not null && federationKey.Length != PeerId.PublicKeySize)
            throw new ArgumentException($"a federation key is an Ed25519 public key of {PeerId.PublicKeySize} bytes, got {federationKey.Length}", nameof(federationKey));
        if (certificates is not null && federationKey is null)
            throw new ArgumentException("certificates need the federation key that signed them", nameof(certificates));
        _peers = [.. peers];
        _federationKey = federationKey;
        foreach (var c in certificates ?? []) _fileCertificates[c.Member] = c;
        _time = time ?? TimeProvider.System;
        _metrics = metrics;
    }

    /// <summary>For <see cref="NodeHost.AddAdmission"/>. Before Hello it refuses only when no certificate in a
    /// Hello could help (no federation key); after Hello it decides.</summary>
    public Disconnect? Admission(PeerId peer, Hello? hello)
    {
        if (AdmittedWithoutHello(peer)) return null;
        if (hello is null) return _federationKey is null ? Refuse("not_listed", $"{peer.Short} is not on this federation's allowlist") : null;
        AllowlistCertificate? cert;
        try { cert = AllowlistCertificate.FromCapabilities(peer, hello.Capabilities); }
        catch (FormatException e) { return Refuse("malformed", $"malformed membership certificate: {e.Message}"); }
        if (cert is null) return Refuse("not_listed", $"{peer.Short} is not on this federation's allowlist and presents no membership certificate");
        return cert.Check(_federationKey, _time.GetUtcNow()) is { } why
            ? Refuse(why.Contains("expired", StringComparison.Ordinal) ? "expired" : "bad_signature", why)
            : null;
    }

    /// <summary>For <see cref="Transport.TcpTransport.Admit"/>: refuses ids neither listed nor certified by file,
    /// unless a Hello certificate could still admit them (federation key set).</summary>
    public string? AdmitTransport(PeerId peer) =>
        AdmittedWithoutHello(peer) || _federationKey is not null ? null : Refuse("not_listed", "not on this federation's allowlist")!.Message;

    private bool AdmittedWithoutHello(PeerId peer) =>
        _peers.Contains(peer) ||
        (_fileCertificates.TryGetValue(peer, out var c) && c.Check(_federationKey, _time.GetUtcNow()) is null);

    private Disconnect Refuse(string kind, string why)
    {
        _metrics?.Increment("allowlist_refused_" + kind);
        return new Disconnect(DisconnectReason.NotAllowed, why);
    }
}
