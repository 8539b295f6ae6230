using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;

namespace P2PNode.Ledger.Audit;

/// <summary>
/// The JSONL export (docs/ledger.md, "Export"): a header line, per author its entries in seq order then its
/// tree heads in size order (each with cosignatures and the consistency proof from the previous head), the
/// evidence lines, and an end line counting the lines before it. Signed objects carry their exact bytes
/// (entries) or exactly the fields their bytes are built from (heads), so a verifier needs only this file.
/// </summary>
public static class LedgerExport
{
    public const string Format = "p2pnode-ledger-export";

    public static void Write(LedgerStore store, Stream output)
    {
        var lines = 0;
        using var text = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        void Line(JsonObject o) { text.WriteLine(o.ToJsonString()); lines++; }
        Line(new JsonObject { ["type"] = "header", ["format"] = Format, ["version"] = 1 });
        foreach (var author in store.Authors())
        {
            foreach (var e in store.AllEntries(author)) Line(EntryLine(e));
            SignedTreeHead? prev = null;
            foreach (var h in store.GetTreeHeads(author))
            {
                JsonNode? consistency = null;
                if (prev is not null)
                {
                    var proof = prev.Size == 0 ? [] : store.ProveConsistency(author, prev.Size, h.Size);
                    consistency = new JsonObject { ["from_size"] = prev.Size, ["proof"] = HexArray(proof) };
                }
                var line = HeadJson(h);
                line["type"] = "sth";
                line["consistency"] = consistency;
                line["cosignatures"] = new JsonArray(store.GetCosignatures(author, h.Size).Select(c => (JsonNode)new JsonObject
                {
                    ["witness"] = Hex(c.Witness), ["time_ms"] = c.TimeMs, ["sig"] = Hex(c.Signature),
                }).ToArray());
                Line(line);
                prev = h;
            }
        }
        foreach (var ev in store.GetEvidence()) Line(EvidenceLine(ev));
        Line(new JsonObject { ["type"] = "end", ["lines"] = lines });
    }

    public static JsonObject EntryLine(SignedEntry e) => new()
    {
        ["type"] = "entry", ["author"] = Hex(e.Author), ["seq"] = e.Seq, ["kind"] = EntryKinds.Name(e.Kind),
        ["time_ms"] = e.Entry.TimeMs, ["run"] = Hex(e.Entry.Run), ["prev"] = Hex(e.Entry.Prev), ["hash"] = Hex(e.Hash),
        ["bytes"] = Hex(e.Bytes), ["sig"] = Hex(e.Signature), ["body"] = e.Entry.Body.ToJson(),
    };

    public static JsonObject HeadJson(SignedTreeHead h) => new()
    {
        ["author"] = Hex(h.Author), ["size"] = h.Size, ["root"] = Hex(h.Root), ["time_ms"] = h.TimeMs, ["sig"] = Hex(h.Signature),
    };

    private static JsonObject EvidenceLine(Equivocation ev)
    {
        var o = new JsonObject { ["type"] = "evidence", ["author"] = Hex(ev.Author) };
        if (ev.Kind == EquivocationKind.EntryFork)
        {
            o["kind"] = "entry_fork";
            o["a"] = new JsonObject { ["bytes"] = Hex(ev.EntryA!.Bytes), ["sig"] = Hex(ev.EntryA.Signature) };
            o["b"] = new JsonObject { ["bytes"] = Hex(ev.EntryB!.Bytes), ["sig"] = Hex(ev.EntryB.Signature) };
        }
        else
        {
            o["kind"] = "tree_head_fork";
            o["a"] = HeadJson(ev.HeadA!);
            o["b"] = HeadJson(ev.HeadB!);
            o["path"] = HexArray(ev.Path);
        }
        return o;
    }

    /// <summary>Longest line a reader accepts, without its '\n' (docs/ledger.md section 5). The longest line an
    /// export can hold legitimately is far shorter: an entry line is bounded by the 64 KiB entry limit of
    /// replication (its hex and its JSON body), a head line by its cosignatures (about 230 bytes each).</summary>
    public const int MaxLineBytes = 4 << 20;

    /// <summary>Reads an export, streaming, one line at a time. Bad lines become findings and only spoil
    /// themselves (the rest is still read); only I/O errors throw.</summary>
    public static LedgerSnapshot Read(Stream input)
    {
        var snap = new LedgerSnapshot { FromExport = true };
        var reader = new ExportLineReader(input, MaxLineBytes);
        var lineNo = 0;
        int? endAt = null;
        long declared = -1;
        while (reader.TryRead(out var bytes))
        {
            lineNo++;
            try
            {
                if (bytes is null) throw new FormatException($"line is longer than {MaxLineBytes} bytes");
                if (!System.Text.Unicode.Utf8.IsValid(bytes)) throw new FormatException("not valid UTF-8");
                if (ExportLineReader.HasLoneSurrogateEscape(bytes)) throw new FormatException("a string escapes a lone surrogate (not Unicode text)");
                using var doc = JsonDocument.Parse(bytes);
                var o = doc.RootElement;
                var type = Str(o, "type");
                if (endAt is not null) throw new FormatException("line after the end line");
                if (lineNo == 1 && type != "header") throw new FormatException("the first line must be the header");
                switch (type)
                {
                    case "header":
                        if (lineNo != 1) throw new FormatException("header is not the first line");
                        if (Str(o, "format") != Format || U64(o, "version") != 1) throw new FormatException($"not a {Format} version 1");
                        break;
                    case "entry": ReadEntry(o, lineNo, snap); break;
                    case "sth": snap.Heads.Add(ReadHeadLine(o, lineNo)); break;
                    case "evidence": snap.Evidence.Add(new SnapshotEvidence(ReadEvidence(o), lineNo)); break;
                    case "end": endAt = lineNo; declared = (long)U64(o, "lines"); break;
                    default: throw new FormatException($"unknown line type '{type}'");
                }
            }
            catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
            {
                snap.LoadFindings.Add(new(FindingCodes.MalformedLine, "", null, lineNo, ex.Message));
            }
        }
        // Lines are numbered from 1: a finding about the whole file names the last line, or none.
        int? last = lineNo == 0 ? null : lineNo;
        if (lineNo == 0) snap.LoadFindings.Add(new(FindingCodes.MalformedLine, "", null, null, "empty export"));
        if (endAt is null) snap.LoadFindings.Add(new(FindingCodes.ExportTruncated, "", null, last, "no end line: the export is truncated"));
        else if (declared != endAt - 1) snap.LoadFindings.Add(new(FindingCodes.ExportTruncated, "", null, endAt, $"end line counts {declared} lines before it, found {endAt - 1}"));
        return snap;
    }

    private static void ReadEntry(JsonElement o, int line, LedgerSnapshot snap)
    {
        // Every field is read first, so a line missing one is malformed as a whole (and adds no entry).
        var author = Str(o, "author");
        var seq = U64(o, "seq");
        var (bytes, sig) = (Bytes(o, "bytes"), Bytes(o, "sig")); // bad hex: a malformed line, not a bad entry
        var (kind, time, run, prev, hash) = (Str(o, "kind"), o.GetProperty("time_ms").GetInt64(), Str(o, "run"), Str(o, "prev"), Str(o, "hash"));
        var body = o.GetProperty("body");
        SignedEntry e;
        try { e = SignedEntry.FromParts(bytes, sig); }
        catch (FormatException ex)
        {
            snap.LoadFindings.Add(new(FindingCodes.BadEntryEncoding, author, seq, line, ex.Message));
            return;
        }
        snap.Entries.Add(new SnapshotEntry(e, line));
        var who = Hex(e.Author);
        void Check(string field, bool ok)
        {
            if (!ok) snap.LoadFindings.Add(new(FindingCodes.FieldMismatch, who, e.Seq, line, $"field '{field}' disagrees with the signed bytes"));
        }
        Check("author", author == who);
        Check("seq", seq == e.Seq);
        Check("kind", kind == EntryKinds.Name(e.Kind));
        Check("time_ms", time == e.Entry.TimeMs);
        Check("run", run == Hex(e.Entry.Run));
        Check("prev", prev == Hex(e.Entry.Prev));
        Check("hash", hash == Hex(e.Hash));
        Check("body", JsonElement.DeepEquals(body, JsonSerializer.SerializeToElement(e.Entry.Body.ToJson())));
    }

    private static SnapshotHead ReadHeadLine(JsonElement o, int line)
    {
        var head = ReadHead(o);
        var cosigs = o.GetProperty("cosignatures").EnumerateArray().Select(c => new Cosignature
        {
            Witness = Bytes(c, "witness"), TimeMs = c.GetProperty("time_ms").GetInt64(), Signature = Bytes(c, "sig"),
        }).ToList();
        ulong? from = null;
        List<byte[]>? proof = null;
        if (o.TryGetProperty("consistency", out var c) && c.ValueKind != JsonValueKind.Null)
        {
            from = U64(c, "from_size");
            proof = c.GetProperty("proof").EnumerateArray().Select(HexOf).ToList();
        }
        return new SnapshotHead(head, cosigs, from, proof, line);
    }

    private static SignedTreeHead ReadHead(JsonElement o) => new()
    {
        Author = Bytes(o, "author"), Size = U64(o, "size"), Root = Bytes(o, "root"),
        TimeMs = o.GetProperty("time_ms").GetInt64(), Signature = Bytes(o, "sig"),
    };

    private static Equivocation ReadEvidence(JsonElement o)
    {
        var author = Bytes(o, "author");
        return Str(o, "kind") switch
        {
            "entry_fork" => new Equivocation
            {
                Kind = EquivocationKind.EntryFork, Author = author,
                EntryA = SignedEntry.FromParts(Bytes(o.GetProperty("a"), "bytes"), Bytes(o.GetProperty("a"), "sig")),
                EntryB = SignedEntry.FromParts(Bytes(o.GetProperty("b"), "bytes"), Bytes(o.GetProperty("b"), "sig")),
            },
            "tree_head_fork" => new Equivocation
            {
                Kind = EquivocationKind.TreeHeadFork, Author = author, HeadA = ReadHead(o.GetProperty("a")), HeadB = ReadHead(o.GetProperty("b")),
                Path = o.GetProperty("path").EnumerateArray().Select(HexOf).ToList(),
            },
            var k => throw new FormatException($"unknown evidence kind '{k}'"),
        };
    }

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);

    private static JsonArray HexArray(IEnumerable<byte[]> items) => new(items.Select(h => (JsonNode)Hex(h)).ToArray());

    private static string Str(JsonElement o, string name) =>
        o.GetProperty(name).GetString() ?? throw new FormatException($"'{name}' is null");

    private static ulong U64(JsonElement o, string name) => o.GetProperty(name).GetUInt64();

    private static byte[] Bytes(JsonElement o, string name) => HexOf(o.GetProperty(name));

    private static byte[] HexOf(JsonElement e)
    {
        var s = e.GetString() ?? throw new FormatException("hex string is null");
        if (s.Length % 2 != 0 || s.Any(ch => ch is >= 'A' and <= 'F')) throw new FormatException($"'{(s.Length > 20 ? s[..20] + "..." : s)}' is not lowercase hex");
        return Convert.FromHexString(s);
    }
}
