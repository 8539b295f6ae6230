using System.Text;
using System.Text.Json.Nodes;
using NSec.Cryptography;
using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Demo;
using P2PNode.Ledger.Entries;

namespace P2PNode.Core.Tests.Ledger;

/// <summary>Every kind of damage to an export is caught, with the finding code that names it.</summary>
public sealed class ExportTamperTests : IDisposable
{
    private readonly TempLedger _t = new();
    private readonly Key[] _keys;
    private readonly List<string> _lines;

    public ExportTamperTests()
    {
        (_keys, _) = DemoLedger.Build(_t.Store, authors: 3, rounds: 3);
        var ms = new MemoryStream();
        LedgerExport.Write(_t.Store, ms);
        _lines = Encoding.UTF8.GetString(ms.ToArray()).TrimEnd('\n').Split('\n').ToList();
    }

    public void Dispose() => _t.Dispose();

    private static AuditReport Audit(IEnumerable<string> lines, int minWitnesses = 0) =>
        LedgerAuditor.Audit(LedgerExport.Read(new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"))),
            new AuditOptions { MinWitnesses = minWitnesses });

    private static string[] Codes(AuditReport r) => r.Findings.Select(f => f.Code).Distinct().ToArray();

    private int LineOf(string type, int nth = 0) =>
        _lines.Select((l, i) => (l, i)).Where(x => JsonNode.Parse(x.l)!["type"]!.GetValue<string>() == type).Skip(nth).First().i;

    private List<string> With(int index, Func<JsonObject, JsonObject> change)
    {
        var copy = _lines.ToList();
        copy[index] = change(JsonNode.Parse(copy[index])!.AsObject()).ToJsonString();
        return copy;
    }

    private static string FlipHexByte(string hex, int byteIndex)
    {
        var b = Convert.FromHexString(hex);
        b[byteIndex] ^= 0x01;
        return Convert.ToHexStringLower(b);
    }

    [Fact]
    public void UntouchedExportIsValid() => Assert.Empty(Audit(_lines, minWitnesses: 2).Findings);

    [Fact]
    public void EveryByteOfAnEntryIsProtected()
    {
        var at = LineOf("entry", 7);
        var o = JsonNode.Parse(_lines[at])!;
        var bytes = Convert.FromHexString(o["bytes"]!.GetValue<string>());
        var sig = Convert.FromHexString(o["sig"]!.GetValue<string>());
        // Every byte at the entry level (fast), and a spread of positions through the whole audit.
        for (var i = 0; i < bytes.Length; i++)
        {
            var changed = (byte[])bytes.Clone();
            changed[i] ^= 0x01;
            SignedEntry? e = null;
            try { e = SignedEntry.FromParts(changed, sig); } catch (FormatException) { }
            Assert.True(e is null || !e.VerifySignature(), $"byte {i} changed and the entry still verifies");
        }
        foreach (var i in new[] { 0, 1, 2, 40, 41, 60, 80, 100, bytes.Length - 1 })
        {
            var codes = Codes(Audit(With(at, x => { x["bytes"] = FlipHexByte(Convert.ToHexStringLower(bytes), i); return x; })));
            Assert.True(codes.Contains(FindingCodes.BadEntrySignature) || codes.Contains(FindingCodes.BadEntryEncoding), $"byte {i}: {string.Join(",", codes)}");
        }
    }

    [Fact]
    public void EveryByteOfASignatureIsProtected()
    {
        var at = LineOf("entry", 4);
        var o = JsonNode.Parse(_lines[at])!;
        var bytes = Convert.FromHexString(o["bytes"]!.GetValue<string>());
        var sig = o["sig"]!.GetValue<string>();
        for (var i = 0; i < 64; i++)
            Assert.False(SignedEntry.FromParts(bytes, Convert.FromHexString(FlipHexByte(sig, i))).VerifySignature(), $"signature byte {i}");
        foreach (var i in new[] { 0, 31, 32, 63 })
            Assert.Contains(FindingCodes.BadEntrySignature, Codes(Audit(With(at, x => { x["sig"] = FlipHexByte(sig, i); return x; }))));
    }

    [Fact]
    public void EveryFieldOfATreeHeadIsProtected()
    {
        var at = LineOf("sth", 2);
        var root = JsonNode.Parse(_lines[at])!["root"]!.GetValue<string>();
        for (var i = 0; i < 32; i++)
            Assert.Contains(FindingCodes.BadSthSignature, Codes(Audit(With(at, o => { o["root"] = FlipHexByte(root, i); return o; }))));
        Assert.Contains(FindingCodes.BadSthSignature, Codes(Audit(With(at, o => { o["size"] = o["size"]!.GetValue<ulong>() - 1; return o; }))));
        Assert.Contains(FindingCodes.BadSthSignature, Codes(Audit(With(at, o => { o["time_ms"] = o["time_ms"]!.GetValue<long>() + 1; return o; }))));
        var sig = JsonNode.Parse(_lines[at])!["sig"]!.GetValue<string>();
        Assert.Contains(FindingCodes.BadSthSignature, Codes(Audit(With(at, o => { o["sig"] = FlipHexByte(sig, 63); return o; }))));
    }

    [Fact]
    public void CosignatureAndConsistencyProofAreChecked()
    {
        var at = LineOf("sth", 1);
        Assert.Contains(FindingCodes.BadCosignature, Codes(Audit(With(at, o =>
        {
            var c = o["cosignatures"]![0]!.AsObject();
            c["sig"] = FlipHexByte(c["sig"]!.GetValue<string>(), 5);
            return o;
        }))));
        Assert.Contains(FindingCodes.SthInconsistent, Codes(Audit(With(at, o =>
        {
            var p = o["consistency"]!["proof"]!.AsArray();
            p[0] = FlipHexByte(p[0]!.GetValue<string>(), 0);
            return o;
        }))));
        Assert.Contains(FindingCodes.TooFewWitnesses, Codes(Audit(_lines, minWitnesses: 3)));
    }

    [Fact]
    public void ReadableFieldsMustMatchTheSignedBytes()
    {
        var at = LineOf("entry", 5);
        var r = Audit(With(at, o => { o["body"]!["samples"] = 999_999; return o; }));
        Assert.Equal([FindingCodes.FieldMismatch], Codes(r));
        Assert.Contains(FindingCodes.FieldMismatch, Codes(Audit(With(at, o => { o["seq"] = 77; return o; }))));
    }

    [Fact]
    public void TruncatedExportIsDetected()
    {
        Assert.Contains(FindingCodes.ExportTruncated, Codes(Audit(_lines.Take(_lines.Count - 1))));
        Assert.Contains(FindingCodes.ExportTruncated, Codes(Audit(_lines.Take(_lines.Count / 2))));
        // Cut in the middle of a line: that line is malformed and the end is gone.
        var cut = _lines.Take(10).Append(_lines[10][..(_lines[10].Length / 2)]);
        var codes = Codes(Audit(cut));
        Assert.Contains(FindingCodes.MalformedLine, codes);
        Assert.Contains(FindingCodes.ExportTruncated, codes);
        // Dropping an author's tail entries but keeping the end line count honest: the heads expose it.
        var lastEntryOfFirstAuthor = LineOf("sth") - 1;
        var dropped = _lines.Where((_, i) => i != lastEntryOfFirstAuthor).ToList();
        dropped[^1] = $$"""{"type":"end","lines":{{dropped.Count - 1}}}""";
        Assert.Contains(FindingCodes.SthBeyondLog, Codes(Audit(dropped)));
    }

    [Fact]
    public void ReorderedEntriesAreDetected()
    {
        var (a, b) = (LineOf("entry", 2), LineOf("entry", 3));
        var swapped = _lines.ToList();
        (swapped[a], swapped[b]) = (swapped[b], swapped[a]);
        Assert.Equal([FindingCodes.EntryOutOfOrder], Codes(Audit(swapped)));
    }

    [Fact]
    public void ReplayedEntryIsDetected()
    {
        var at = LineOf("entry", 2);
        var replayed = _lines.ToList();
        replayed.Insert(at + 1, _lines[at]);
        replayed[^1] = $$"""{"type":"end","lines":{{replayed.Count - 1}}}""";
        Assert.Contains(FindingCodes.DuplicateEntry, Codes(Audit(replayed)));
    }

    [Fact]
    public void ForgedSignatureIsDetected()
    {
        // An attacker changes the samples of a contribution and signs with its own key, keeping the author.
        var at = LineOf("entry", 5);
        var o = JsonNode.Parse(_lines[at])!.AsObject();
        var original = SignedEntry.FromParts(Convert.FromHexString(o["bytes"]!.GetValue<string>()), Convert.FromHexString(o["sig"]!.GetValue<string>()));
        var forged = original.Entry with { Body = ((ContributionBody)original.Entry.Body) with { Samples = 1_000_000 } };
        using var attacker = Key.Create(SignatureAlgorithm.Ed25519);
        var bytes = forged.Encode();
        var sig = LedgerSignatures.Sign(attacker, LedgerSignatures.EntryContext, bytes);
        var codes = Codes(Audit(With(at, x =>
        {
            x["bytes"] = Convert.ToHexStringLower(bytes);
            x["sig"] = Convert.ToHexStringLower(sig);
            x["hash"] = Convert.ToHexStringLower(P2PNode.Ledger.Merkle.MerkleHash.LeafOfPair(bytes, sig));
            x["body"] = forged.Body.ToJson();
            return x;
        })));
        Assert.Contains(FindingCodes.BadEntrySignature, codes);
    }

    [Fact]
    public void EquivocatingAuthorIsDetectedAndFlagged()
    {
        // The real author signs a second, different entry at an existing seq.
        var at = LineOf("entry", 5);
        var o = JsonNode.Parse(_lines[at])!.AsObject();
        var original = SignedEntry.FromParts(Convert.FromHexString(o["bytes"]!.GetValue<string>()), Convert.FromHexString(o["sig"]!.GetValue<string>()));
        var key = _keys.Single(k => LedgerSignatures.PublicKeyOf(k).AsSpan().SequenceEqual(original.Author));
        var twin = SignedEntry.Sign(key, original.Entry with { Body = ((ContributionBody)original.Entry.Body) with { Samples = 5 } });
        var lines = _lines.ToList();
        lines.Insert(at + 1, LedgerExport.EntryLine(twin).ToJsonString());
        lines[^1] = $$"""{"type":"end","lines":{{lines.Count - 1}}}""";
        var report = Audit(lines);
        Assert.Contains(FindingCodes.Equivocation, Codes(report));
        Assert.True(report.Authors.Single(a => a.Author == Convert.ToHexStringLower(original.Author)).Flagged);
    }

    [Fact]
    public void GarbageLinesAreMalformedNotCrashes()
    {
        foreach (var bad in new[] { "not json", "{}", """{"type":"entry"}""", """{"type":"entry","author":"zz","seq":1,"bytes":"0g","sig":""}""", """{"type":"wat"}""" })
        {
            var lines = _lines.ToList();
            lines.Insert(3, bad);
            lines[^1] = $$"""{"type":"end","lines":{{lines.Count - 1}}}""";
            Assert.Contains(FindingCodes.MalformedLine, Codes(Audit(lines)));
        }
        var badEncoding = With(LineOf("entry", 1), o => { o["bytes"] = "01"; return o; });
        Assert.Contains(FindingCodes.BadEntryEncoding, Codes(Audit(badEncoding)));
    }
}
