namespace P2PNode.Ledger.Entries;

/// <summary>
/// The unsigned content of one log entry. Canonical bytes (docs/ledger.md): u8 version, u8 kind,
/// 32 author, u64 seq, 32 prev, i64 time_ms, 32 run, then the body. Seq is the entry's leaf index in its
/// author's Merkle tree; prev is the entry hash of seq-1 (zeros at seq 0), so the log is also a hash chain;
/// run is the entry hash of the run's RunGenesis (zeros in the genesis itself).
/// </summary>
public sealed record LedgerEntry
{
    /// <summary>The entry format's version byte: 1, or 2 for an aggregation that cites judgements
    /// (<see cref="AggregationBody.Judgements"/>; docs/ledger.md §3.1). The body decides, so a body has one encoding.</summary>
    public byte Version => Body.Version;
    public required byte[] Author { get; init; }
    public required ulong Seq { get; init; }
    public required byte[] Prev { get; init; }
    public required long TimeMs { get; init; }
    public required byte[] Run { get; init; }
    public required EntryBody Body { get; init; }

    public EntryKind Kind => Body.Kind;

    public byte[] Encode()
    {
        var w = new CanonicalWriter();
        w.U8(Version);
        w.U8((byte)Body.Kind);
        w.Hash(Author);
        w.U64(Seq);
        w.Hash(Prev);
        w.I64(TimeMs);
        w.Hash(Run);
        Body.Write(w);
        return w.ToArray();
    }

    /// <summary>Parses canonical bytes; any deviation (version, kind, truncation, trailing bytes) is a FormatException.</summary>
    public static LedgerEntry Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new CanonicalReader(bytes);
        var version = r.U8("version");
        if (version is not (1 or 2)) throw new FormatException($"entry version {version} is not supported (expected 1 or 2)");
        var kind = (EntryKind)r.U8("kind");
        if (version == 2 && kind != EntryKind.Aggregation) throw new FormatException($"entry version 2 is only for aggregations, not kind {(byte)kind}");
        var author = r.Hash("author");
        var seq = r.U64("seq");
        var prev = r.Hash("prev");
        var time = r.I64("time_ms");
        var run = r.Hash("run");
        var body = EntryBody.Read(kind, ref r, version);
        r.End("entry body");
        return new LedgerEntry { Author = author, Seq = seq, Prev = prev, TimeMs = time, Run = run, Body = body };
    }
}
