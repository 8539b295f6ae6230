using Microsoft.Extensions.Logging;
using P2PNode.Config;
using P2PNode.Identity;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Overlay;
using P2PNode.Peers.Scoring;
using P2PNode.Transfer;

namespace P2PNode.Cli.Commands;

/// <summary>
/// The defences of `p2pnode run` built from [scoring] and [permission] (docs/overlay.md, "Defence"): the
/// allowlist (admission after the handshake, Disconnect NotAllowed), the peer scorer with its enforcer (bans
/// refused at admission, banned sessions closed, graylisted gossip ignored, per-peer rate limits), and bad
/// input reported as offences from the overlay, the session layer and the transport. Per-address connection
/// limits are [network] max_inbound_per_address, enforced by TcpTransport at accept time.
/// Files named by [permission] are read here; their errors are ConfigExceptions (exit code 2).
/// </summary>
internal sealed class NodeDefence
{
    private readonly Allowlist? _allowlist;
    private readonly PeerScorer? _scorer;
    private readonly NodeMetrics _metrics;
    private readonly ILogger _log;

    private NodeDefence(Allowlist? allowlist, PeerScorer? scorer, IReadOnlyList<string> capabilities, NodeMetrics metrics, ILogger log)
    {
        _allowlist = allowlist;
        _scorer = scorer;
        Capabilities = capabilities;
        _metrics = metrics;
        _log = log;
    }

    /// <summary>Hello capabilities carrying this node's membership certificate (empty without one).</summary>
    public IReadOnlyList<string> Capabilities { get; }

    public static NodeDefence Load(NodeConfig config, NodeIdentity identity, NodeMetrics metrics, ILogger log)
    {
        var p = config.Permission;
        var capabilities = p.CertificateFile is { } file ? OwnCertificate(file, identity.PeerId, p.FederationKey, log).ToCapabilities() : [];
        Allowlist? allowlist = null;
        if (p.Mode == PermissionMode.Allowlist)
        {
            var peers = p.PeersFile is { } peersFile ? [.. p.Peers, .. ReadPeersFile(peersFile)] : p.Peers.ToList();
            allowlist = new Allowlist(peers, p.FederationKey?.PublicKey.ToArray(), metrics: metrics);
            if (log.IsEnabled(LogLevel.Information))
                log.PermissionedMode(peers.Distinct().Count(), p.FederationKey is { } key ? $", members certified by {key}" : "");
        }
        var scorer = config.Scoring.Enabled ? new PeerScorer(config.Scoring.Options, metrics: metrics, self: identity.PeerId) : null;
        return new NodeDefence(allowlist, scorer, capabilities, metrics, log);
    }

    /// <summary>Installs admission checks, the rate limiter and the input checks on the host. Call before
    /// <see cref="NodeHost.StartAsync"/> so no session is admitted unchecked.</summary>
    public void Attach(NodeHost host)
    {
        // Allowlist first: a stranger is told NotAllowed, whatever its score.
        if (_allowlist is not null) host.AddAdmission(_allowlist.Admission);
        if (_scorer is null) return;
        _ = new ScoreEnforcer(host, _scorer, new PeerRateLimiter(_scorer, _metrics));
        var rateLimited = host.WrapConnection;
        host.WrapConnection = c => new ScoredConnection(rateLimited is null ? c : rateLimited(c), _scorer);
        _scorer.Graylisted += (peer, what, score) =>
            _log.Graylisted(peer, what, score);
        _scorer.Banned += (peer, until) => _log.Banned(peer, until, _scorer.ScoreOf(peer));
    }

    public void Watch(OverlayService overlay) =>
        overlay.OffenceDetected += (peer, offence) => Report(peer, ScoreEnforcer.FromOverlay(offence), offence.ToString());

    /// <summary>For a node that also runs content transfer: bad chunks and broken promises count too.</summary>
    public void Watch(TransferService transfer) =>
        transfer.OffenceDetected += (peer, offence) => Report(peer, offence, offence.ToString());

    /// <summary>Offences found at aggregation (a delta that does not decode) lower the author's score; messages
    /// the validator rejected were already scored by the overlay, and round-rule refusals (wrong base, norm
    /// outlier, NaN) are no offence at all (Training.Runtime.Refusals).</summary>
    public void Watch(Training.Runtime.TrainingNode node) =>
        node.ContributionRejected += (author, reason) =>
        {
            if (Training.Runtime.Refusals.ScoredByRuntime(reason))
                Report(author, Offence.InvalidMessage, "refused contribution: " + reason);
        };

    private void Report(PeerId peer, Offence offence, string what)
    {
        if (_scorer is null) return;
        var after = _scorer.Report(peer, offence, what);
        if (_log.IsEnabled(LogLevel.Debug)) _log.Offence(peer.Short, what, _scorer.ScoreOf(peer), after);
    }

    // One peer id per line; blank lines and '#' comments skipped; an error names the file and line.
    private static List<PeerId> ReadPeersFile(string path)
    {
        var ids = new List<PeerId>();
        var lines = ReadLines(path, "permission.peers_file");
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (!PeerId.TryParse(line, out var id, out var error))
                throw new ConfigException(path, i + 1, null, $"{Quote(line)}: {error}");
            ids.Add(id);
        }
        return ids;
    }

    // This node's certificate: it must name this node, and verify under the federation key when one is set.
    private static AllowlistCertificate OwnCertificate(string path, PeerId self, PeerId? federationKey, ILogger log)
    {
        // The format of AllowlistCertificate.LoadFile, read here so that a bad line is a file:line config error.
        var lines = ReadLines(path, "permission.certificate_file");
        var certificates = new List<AllowlistCertificate>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            try { certificates.Add(AllowlistCertificate.FromBytes(Convert.FromBase64String(line))); }
            catch (FormatException e) { throw new ConfigException(path, i + 1, null, $"not a membership certificate: {e.Message}"); }
        }
        var own = certificates.FirstOrDefault(c => c.Member == self)
            ?? throw new ConfigException(path, null, null, $"holds no membership certificate for this node ({self})");
        // Checked at the earliest instant: only the signature can fail, expiry is a warning below.
        if (federationKey is not null && own.Check(federationKey.PublicKey.Span, DateTimeOffset.MinValue) is { } why)
            throw new ConfigException(path, null, null, $"{why} (permission.federation_key = {federationKey})");
        if (DateTimeOffset.UtcNow >= own.Expiry)
            log.CertificateExpired(path, own.Expiry);
        return own;
    }

    private static string[] ReadLines(string path, string key)
    {
        try { return File.ReadAllLines(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException(path, null, null, $"file not found (named by {key})");
        }
    }

    private static string Quote(string s) =>
        "\"" + string.Concat((s.Length > 120 ? s[..120] + "..." : s).Select(c => char.IsControl(c) ? '?' : c)) + "\"";
}
