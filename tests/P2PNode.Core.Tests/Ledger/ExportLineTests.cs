using System.Text;
using System.Text.Json.Nodes;
using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Demo;

namespace P2PNode.Core.Tests.Ledger;

/// <summary>
/// docs/ledger.md section 5 and step 1 as an outside verifier found them: each line is decoded on its own (a bad
/// byte spoils one line, with its own number), integers and strings outside their types are malformed lines,
/// lines are bounded and streamed, and `--min-witnesses` also counts authors with no head.
/// </summary>
public sealed class ExportLineTests : IDisposable
{
    private readonly TempLedger _t = new();
    private readonly List<byte[]> _lines;

    public ExportLineTests()
    {
        DemoLedger.Build(_t.Store, authors: 3, rounds: 6); // over 60 lines, like the outsider's case
        var ms = new MemoryStream();
        LedgerExport.Write(_t.Store, ms);
        _lines = Encoding.UTF8.GetString(ms.ToArray()).TrimEnd('\n').Split('\n').Select(Encoding.UTF8.GetBytes).ToList();
    }

    public void Dispose() => _t.Dispose();

    private static AuditReport Audit(IEnumerable<byte[]> lines, int minWitnesses = 0)
    {
        var ms = new MemoryStream();
        foreach (var l in lines) { ms.Write(l); ms.WriteByte((byte)'\n'); }
        ms.Position = 0;
        return LedgerAuditor.Audit(LedgerExport.Read(ms), new AuditOptions { MinWitnesses = minWitnesses });
    }

    private List<byte[]> WithInserted(int index, byte[] line)
    {
        var copy = _lines.ToList();
        copy.Insert(index, line);
        copy[^1] = Encoding.UTF8.GetBytes($$"""{"type":"end","lines":{{copy.Count - 1}}}""");
        return copy;
    }

    private List<byte[]> WithEdited(int index, Action<JsonObject> change)
    {
        var copy = _lines.ToList();
        var o = JsonNode.Parse(copy[index])!.AsObject();
        change(o);
        copy[index] = Encoding.UTF8.GetBytes(o.ToJsonString());
        return copy;
    }

    private int IndexOf(string type, int nth = 0) =>
        _lines.Select((l, i) => (l, i)).Where(x => Encoding.UTF8.GetString(x.l).Contains($"\"type\":\"{type}\"", StringComparison.Ordinal)).Skip(nth).First().i;

    [Fact]
    public void AnInvalidUtf8ByteSpoilsOnlyItsOwnLineWhichIsNamedByItsNumber()
    {
        Assert.True(_lines.Count > 60);
        var bad = Encoding.UTF8.GetBytes("""{"type":"entry","note":"x"}""");
        bad[^3] = 0xff;
        var report = Audit(WithInserted(59, bad)); // becomes line 60
        var f = Assert.Single(report.Findings);
        Assert.Equal((FindingCodes.MalformedLine, 60, "not valid UTF-8"), (f.Code, f.Line!.Value, f.Message));
    }

    [Fact]
    public void LineNumbersStartAtOneEvenForFindingsAboutTheWholeFile()
    {
        var truncated = Audit(_lines.Take(1));
        Assert.Equal(1, Assert.Single(truncated.Findings, f => f.Code == FindingCodes.ExportTruncated).Line);
        var empty = Audit([]);
        Assert.NotEmpty(empty.Findings);
        Assert.All(empty.Findings, f => Assert.Null(f.Line));
        Assert.All(Audit(_lines.Take(5)).Findings, f => Assert.True(f.Line is null or >= 1, f.ToString()));
    }

    [Theory]
    [InlineData("seq", "18446744073709551616")]   // 2^64: past u64
    [InlineData("seq", "-1")]
    [InlineData("seq", "4.0")]
    [InlineData("time_ms", "9223372036854775808")] // 2^63: past i64
    public void AnIntegerOutsideItsTypeIsAMalformedLine(string field, string value)
    {
        var at = IndexOf("entry", 4);
        var text = Encoding.UTF8.GetString(_lines[at]);
        var o = JsonNode.Parse(text)!;
        var original = $"\"{field}\":{o[field]!.ToJsonString()}";
        Assert.Contains(original, text);
        var lines = _lines.ToList();
        lines[at] = Encoding.UTF8.GetBytes(text.Replace(original, $"\"{field}\":{value}", StringComparison.Ordinal));
        Assert.Contains(Audit(lines).Findings, f => f.Code == FindingCodes.MalformedLine && f.Line == at + 1);
    }

    [Fact]
    public void ALoneSurrogateEscapeAnywhereIsAMalformedLineButAnEscapedPairIsText()
    {
        var join = IndexOf("entry", 1);
        Assert.Contains("\"kind\":\"join\"", Encoding.UTF8.GetString(_lines[join]), StringComparison.Ordinal);
        List<byte[]> WithName(string escaped)
        {
            var lines = _lines.ToList();
            var text = Encoding.UTF8.GetString(lines[join]);
            lines[join] = Encoding.UTF8.GetBytes(text.Replace("\"display_name\":\"", "\"display_name\":\"" + escaped, StringComparison.Ordinal));
            return lines;
        }
        // In the body, which is compared as a JSON value: without the rule this would be a FIELD_MISMATCH only.
        var lone = Audit(WithName("\\udcff"));
        Assert.Contains(lone.Findings, f => f.Code == FindingCodes.MalformedLine && f.Line == join + 1);
        Assert.DoesNotContain(lone.Findings, f => f.Code == FindingCodes.FieldMismatch);
        Assert.Contains(Audit(WithName("\\ud800x")).Findings, f => f.Code == FindingCodes.MalformedLine);
        var pair = Audit(WithName("\\ud83d\\ude00"));
        Assert.Equal([FindingCodes.FieldMismatch], pair.Findings.Select(f => f.Code).Distinct());
        Assert.DoesNotContain(Audit(WithName("\\\\udcff")).Findings, f => f.Code == FindingCodes.MalformedLine); // an escaped backslash, then text
    }

    [Fact]
    public void ALineOverTheLimitIsMalformedAndTheRestIsRead()
    {
        var huge = Encoding.UTF8.GetBytes("{\"type\":\"evidence\",\"x\":\"" + new string('a', LedgerExport.MaxLineBytes) + "\"}");
        var f = Assert.Single(Audit(WithInserted(3, huge)).Findings);
        Assert.Equal((FindingCodes.MalformedLine, 4), (f.Code, f.Line!.Value));
        Assert.Contains("longer than 4194304 bytes", f.Message);
    }

    [Fact]
    public void AHugeLineIsStreamedPastNotHeld()
    {
        // 128 MiB of one line between the header's lines and the rest: reading allocates a small fraction of that.
        var lines = WithInserted(3, []);
        var head = lines.Take(3).SelectMany(l => l.Append((byte)'\n')).ToArray();
        var rest = new[] { (byte)'\n' }.Concat(lines.Skip(4).SelectMany(l => l.Append((byte)'\n'))).ToArray();
        using var input = new ConcatStream(head, 128L << 20, rest);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var snap = LedgerExport.Read(input);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(allocated, 0, 32L << 20);
        var f = Assert.Single(LedgerAuditor.Audit(snap).Findings);
        Assert.Equal((FindingCodes.MalformedLine, 4), (f.Code, f.Line!.Value));
    }

    [Fact]
    public void MinWitnessesCountsAnAuthorWithEntriesButNoHead()
    {
        var headless = Encoding.UTF8.GetString(_lines[IndexOf("sth")]);
        var author = JsonNode.Parse(headless)!["author"]!.GetValue<string>();
        var lines = _lines.Where(l => JsonNode.Parse(l)!.AsObject() is var o && !(o["type"]!.GetValue<string>() == "sth" && o["author"]!.GetValue<string>() == author)).ToList();
        Assert.Equal(_lines.Count - 6, lines.Count); // its six heads
        lines[^1] = Encoding.UTF8.GetBytes($$"""{"type":"end","lines":{{lines.Count - 1}}}""");
        Assert.Empty(Audit(lines).Findings);
        var f = Assert.Single(Audit(lines, minWitnesses: 1).Findings);
        Assert.Equal((FindingCodes.TooFewWitnesses, author, (int?)null), (f.Code, f.Author, f.Line));
    }

    /// <summary>A read-only stream of: head bytes, then <c>count</c> bytes of 'a' made on the fly, then the rest.</summary>
    private sealed class ConcatStream(byte[] head, long count, byte[] rest) : Stream
    {
        private long _pos;

        public override int Read(byte[] buffer, int offset, int length)
        {
            var n = 0;
            while (n < length)
            {
                (byte[]? from, long at, long size) = _pos < head.Length ? (head, _pos, (long)head.Length)
                    : _pos < head.Length + count ? ((byte[]?)null, _pos - head.Length, count)
                    : (rest, _pos - head.Length - count, (long)rest.Length);
                var take = (int)Math.Min(length - n, size - at);
                if (take <= 0) break;
                if (from is null) buffer.AsSpan(offset + n, take).Fill((byte)'a');
                else from.AsSpan((int)at, take).CopyTo(buffer.AsSpan(offset + n));
                _pos += take;
                n += take;
            }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _pos; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
