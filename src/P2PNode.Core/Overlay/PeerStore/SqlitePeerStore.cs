using Microsoft.Data.Sqlite;
using P2PNode.Identity;
using P2PNode.Wire;
using P2PNode.Wire.Gossip;

namespace P2PNode.Overlay.PeerStore;

/// <summary>
/// The peers this node has been connected to, kept in one SQLite file (data_dir/peers.db) so that a restarted
/// node rejoins the overlay without bootstrap peers. Thread-safe (one connection behind a lock; every call is
/// one short statement or transaction). Bounded: at most <see cref="MaxAddressesPerPeer"/> addresses per peer,
/// and <see cref="Prune"/> keeps the most recently seen peers.
/// </summary>
public sealed class SqlitePeerStore : IDisposable
{
    /// <summary>Addresses kept per peer (the most recently seen); a peer that moved keeps its old ones for a while.</summary>
    public const int MaxAddressesPerPeer = 4;

    private readonly SqliteConnection _db;
    private readonly object _gate = new();

    private SqlitePeerStore(SqliteConnection db) => _db = db;

    /// <summary>Opens (creating if missing) the store at <paramref name="path"/>.</summary>
    public static SqlitePeerStore Open(string path)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        Exec(db, """
            PRAGMA journal_mode = WAL;
            PRAGMA foreign_keys = ON;
            CREATE TABLE IF NOT EXISTS peers (
                peer_id      TEXT PRIMARY KEY,
                last_seen_ms INTEGER NOT NULL,
                failures     INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS peer_addresses (
                peer_id      TEXT NOT NULL REFERENCES peers(peer_id) ON DELETE CASCADE,
                address      TEXT NOT NULL,
                last_seen_ms INTEGER NOT NULL,
                PRIMARY KEY (peer_id, address));
            """);
        return new SqlitePeerStore(db);
    }

    /// <summary>A live connection to <paramref name="peer"/>, dialable at <paramref name="address"/>: records the
    /// address, refreshes last-seen and clears the failure count.</summary>
    public void Seen(PeerId peer, string address, long nowMs)
    {
        if (string.IsNullOrEmpty(address) || System.Text.Encoding.UTF8.GetByteCount(address) > WireLimits.MaxAddressLength)
            throw new ArgumentException($"a peer address must be 1..{WireLimits.MaxAddressLength} bytes", nameof(address));
        lock (_gate)
        {
            using var tx = _db.BeginTransaction();
            Exec(_db, """
                INSERT INTO peers (peer_id, last_seen_ms, failures) VALUES ($p, $t, 0)
                ON CONFLICT (peer_id) DO UPDATE SET last_seen_ms = max(last_seen_ms, $t), failures = 0;
                INSERT INTO peer_addresses (peer_id, address, last_seen_ms) VALUES ($p, $a, $t)
                ON CONFLICT (peer_id, address) DO UPDATE SET last_seen_ms = max(last_seen_ms, $t);
                DELETE FROM peer_addresses WHERE peer_id = $p AND address NOT IN
                    (SELECT address FROM peer_addresses WHERE peer_id = $p ORDER BY last_seen_ms DESC, address LIMIT $k);
                """, ("$p", peer.ToString()), ("$t", nowMs), ("$a", address), ("$k", MaxAddressesPerPeer));
            tx.Commit();
        }
    }

    /// <summary>A dial to a known peer failed. Unknown peers are not added (failures alone prove nothing).</summary>
    public void Failed(PeerId peer)
    {
        lock (_gate) Exec(_db, "UPDATE peers SET failures = failures + 1 WHERE peer_id = $p", ("$p", peer.ToString()));
    }

    public StoredPeer? Get(PeerId peer) => Query("WHERE peer_id = $p", ("$p", peer.ToString())).FirstOrDefault();

    public int Count
    {
        get { lock (_gate) return Convert.ToInt32(Scalar("SELECT count(*) FROM peers"), System.Globalization.CultureInfo.InvariantCulture); }
    }

    /// <summary>Peers to rejoin through, best first: fewest consecutive failures, then most recently seen.</summary>
    public IReadOnlyList<StoredPeer> Candidates(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return Query("ORDER BY failures, last_seen_ms DESC, peer_id LIMIT $n", ("$n", max));
    }

    /// <summary>Join contacts for the overlay: the best <paramref name="maxPeers"/> candidates other than
    /// <paramref name="self"/>, each with its most recent address.</summary>
    public IReadOnlyList<PeerAddress> JoinContacts(PeerId self, int maxPeers) =>
        Candidates(maxPeers + 1).Where(p => p.Peer != self && p.Addresses.Count > 0)
            .Take(maxPeers).Select(p => new PeerAddress(p.Peer, p.Addresses[0])).ToList();

    /// <summary>Keeps the <paramref name="keep"/> best peers (by the candidate order), deletes the rest; returns how many went.</summary>
    public int Prune(int keep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        lock (_gate)
        {
            return Exec(_db, """
                DELETE FROM peers WHERE peer_id NOT IN
                    (SELECT peer_id FROM peers ORDER BY failures, last_seen_ms DESC, peer_id LIMIT $k)
                """, ("$k", keep));
        }
    }

    private List<StoredPeer> Query(string tail, params (string Name, object Value)[] args)
    {
        lock (_gate)
        {
            var rows = new List<(string Id, long Seen, int Failures)>();
            using (var cmd = Command(_db, "SELECT peer_id, last_seen_ms, failures FROM peers " + tail, args))
            using (var r = cmd.ExecuteReader())
            {
                while (r.Read()) rows.Add((r.GetString(0), r.GetInt64(1), r.GetInt32(2)));
            }
            var result = new List<StoredPeer>();
            foreach (var (id, seen, failures) in rows)
            {
                // The file is ours, but it is on disk: a row that no longer parses is skipped, not trusted.
                if (!PeerId.TryParse(id, out var peer, out _)) continue;
                var addresses = new List<string>();
                using var cmd = Command(_db, "SELECT address FROM peer_addresses WHERE peer_id = $p ORDER BY last_seen_ms DESC, address", ("$p", id));
                using var r = cmd.ExecuteReader();
                while (r.Read()) addresses.Add(r.GetString(0));
                result.Add(new StoredPeer(peer, addresses, seen, failures));
            }
            return result;
        }
    }

    private object? Scalar(string sql)
    {
        using var cmd = Command(_db, sql);
        return cmd.ExecuteScalar();
    }

    private static int Exec(SqliteConnection db, string sql, params (string Name, object Value)[] args)
    {
        using var cmd = Command(db, sql, args);
        return cmd.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection db, string sql, params (string Name, object Value)[] args)
    {
        var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }

    public void Dispose()
    {
        lock (_gate) _db.Dispose();
    }
}
