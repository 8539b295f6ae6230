using Microsoft.Data.Sqlite;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Merkle;

namespace P2PNode.Ledger.Storage;

/// <summary>
/// All authors' logs in one SQLite file (WAL, synchronous=FULL: a call that returned has reached the disk
/// and survives SIGKILL or power loss). Each author's Merkle tree is rebuilt in memory from the stored leaf
/// hashes on first use. Thread-safe: one connection behind one lock (SQLite serialises writers anyway).
/// Partial files: .Append (own log), .Ingest (replication, witnessing), .Query (reads, proofs).
/// </summary>
public sealed partial class LedgerStore : IDisposable
{
    private const int SchemaVersion = 1;
    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, AuthorLog> _logs = new(StringComparer.Ordinal);

    private LedgerStore(SqliteConnection db, string path)
    {
        _db = db;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens or creates a ledger database. A file that is not a ledger of this schema is refused.</summary>
    public static LedgerStore Open(string path, bool readOnly = false)
    {
        if (readOnly && !File.Exists(path)) throw new FileNotFoundException($"ledger database {path} does not exist", path);
        var cs = new SqliteConnectionStringBuilder
        {
            DataSource = path, Pooling = false,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
        }.ToString();
        var db = new SqliteConnection(cs);
        try
        {
            db.Open();
            if (!readOnly) Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
            var store = new LedgerStore(db, path);
            store.EnsureSchema(readOnly);
            return store;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    private void EnsureSchema(bool readOnly)
    {
        var hasMeta = Scalar(_db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='ledger_meta'") is long n && n > 0;
        if (hasMeta)
        {
            var version = Scalar(_db, "SELECT value FROM ledger_meta WHERE key='schema'") as string;
            if (version != SchemaVersion.ToString()) throw new InvalidDataException($"{Path}: ledger schema '{version}' is not {SchemaVersion}");
            return;
        }
        if (readOnly) throw new InvalidDataException($"{Path} is not a p2pnode ledger database");
        Exec(_db, """
            BEGIN;
            CREATE TABLE ledger_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE entries(author BLOB NOT NULL, seq INTEGER NOT NULL, kind INTEGER NOT NULL, time_ms INTEGER NOT NULL,
                hash BLOB NOT NULL, bytes BLOB NOT NULL, sig BLOB NOT NULL, PRIMARY KEY(author, seq)) WITHOUT ROWID;
            CREATE INDEX entries_by_hash ON entries(hash);
            CREATE TABLE tree_heads(author BLOB NOT NULL, size INTEGER NOT NULL, root BLOB NOT NULL, time_ms INTEGER NOT NULL,
                sig BLOB NOT NULL, PRIMARY KEY(author, size)) WITHOUT ROWID;
            CREATE TABLE cosignatures(author BLOB NOT NULL, size INTEGER NOT NULL, witness BLOB NOT NULL, time_ms INTEGER NOT NULL,
                sig BLOB NOT NULL, PRIMARY KEY(author, size, witness)) WITHOUT ROWID;
            CREATE TABLE evidence(id INTEGER PRIMARY KEY, author BLOB NOT NULL, kind INTEGER NOT NULL, a BLOB NOT NULL,
                b BLOB NOT NULL, path BLOB NOT NULL, found_ms INTEGER NOT NULL);
            CREATE TABLE flagged(author BLOB PRIMARY KEY, reason TEXT NOT NULL, since_ms INTEGER NOT NULL);
            INSERT INTO ledger_meta VALUES('schema', '1');
            COMMIT;
            """);
    }

    /// <summary>The in-memory view of one author's log: its tree and the hash its next entry must chain to.</summary>
    private sealed class AuthorLog
    {
        public MerkleTree Tree { get; } = new();
        public byte[] LastHash => Tree.Size == 0 ? new byte[32] : Tree.LeafHash(Tree.Size - 1);
    }

    private AuthorLog Log(byte[] author)
    {
        var id = Convert.ToHexStringLower(author);
        if (_logs.TryGetValue(id, out var log)) return log;
        log = new AuthorLog();
        using var cmd = Command("SELECT seq, hash FROM entries WHERE author=$a ORDER BY seq", ("$a", author));
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            if (reader.GetInt64(0) != log.Tree.Size) throw new InvalidDataException($"{Path}: log of {id} has a gap at seq {log.Tree.Size}");
            log.Tree.Append((byte[])reader[1]);
        }
        _logs[id] = log;
        return log;
    }

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private static void Exec(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public void Dispose() => _db.Dispose();
}
