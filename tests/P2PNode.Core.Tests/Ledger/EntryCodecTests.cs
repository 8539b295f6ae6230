using P2PNode.Ledger.Demo;
using P2PNode.Ledger.Entries;

namespace P2PNode.Core.Tests.Ledger;

public sealed class EntryCodecTests
{
    private static LedgerEntry Sample() => new()
    {
        Author = Enumerable.Repeat((byte)0xaa, 32).ToArray(), Seq = 258, Prev = Enumerable.Repeat((byte)0x11, 32).ToArray(),
        TimeMs = 1_767_225_600_000, Run = Enumerable.Repeat((byte)0x22, 32).ToArray(),
        Body = new ContributionBody
        {
            Round = 3, BaseModel = new byte[32], PayloadHash = Enumerable.Repeat((byte)0x33, 32).ToArray(), PayloadSize = 1000,
            Samples = 64, InnerSteps = 5, LossBefore = 1.5, LossAfter = 1.25, Metrics = [new Metric("acc", 0.5)], ComputeSeconds = 2,
        },
    };

    [Fact]
    public void ContributionBytesAreExactlyAsDocumented()
    {
        // docs/ledger.md 3.1 and 3.2, field by field.
        var want = "01" + "03" + new string('a', 64) + "0000000000000102" + new string('1', 64) + "0000019b76daa800" + new string('2', 64)
            + "0000000000000003" + new string('0', 64) + new string('3', 64) + "00000000000003e8" + "0000000000000040" + "00000005"
            + "3ff8000000000000" + "3ff4000000000000" + "00000001" + "00000003" + "616363" + "3fe0000000000000" + "4000000000000000";
        Assert.Equal(want, Convert.ToHexStringLower(Sample().Encode()));
    }

    [Fact]
    public void EveryBodyRoundTrips()
    {
        using var t = new TempLedger();
        DemoLedger.Build(t.Store, 3, 2);
        var kinds = new HashSet<EntryKind>();
        foreach (var author in t.Store.Authors())
            foreach (var e in t.Store.AllEntries(author))
            {
                var again = LedgerEntry.Decode(e.Bytes);
                Assert.Equal(e.Bytes, again.Encode());
                Assert.Equal(e.Entry.Body.ToJson().ToJsonString(), again.Body.ToJson().ToJsonString());
                kinds.Add(e.Kind);
            }
        Assert.Equal(Enum.GetValues<EntryKind>().Length, kinds.Count);
    }

    [Fact]
    public void NonCanonicalBytesAreRefusedPrecisely()
    {
        var bytes = Sample().Encode();
        Assert.Contains("trailing", Assert.Throws<FormatException>(() => LedgerEntry.Decode([.. bytes, 0])).Message);
        Assert.Contains("truncated", Assert.Throws<FormatException>(() => LedgerEntry.Decode(bytes.AsSpan(..^1))).Message);
        var badVersion = (byte[])bytes.Clone();
        badVersion[0] = 2;
        Assert.Contains("version", Assert.Throws<FormatException>(() => LedgerEntry.Decode(badVersion)).Message);
        var badKind = (byte[])bytes.Clone();
        badKind[1] = 9;
        Assert.Contains("kind", Assert.Throws<FormatException>(() => LedgerEntry.Decode(badKind)).Message);
        var nan = (byte[])bytes.Clone();
        BitConverter.GetBytes(double.NaN).Reverse().ToArray().CopyTo(nan, bytes.Length - 8);
        Assert.Contains("finite", Assert.Throws<FormatException>(() => LedgerEntry.Decode(nan)).Message);
        var hugeList = (byte[])bytes.Clone();
        hugeList[bytes.Length - 8 - 8 - 3 - 4 - 4] = 0xff; // metrics count
        Assert.Throws<FormatException>(() => LedgerEntry.Decode(hugeList));
        Assert.Throws<ArgumentException>(() => (Sample() with { Body = ((ContributionBody)Sample().Body) with { LossAfter = double.PositiveInfinity } }).Encode());
    }

    private static LedgerEntry Aggregation(params byte[][] judgements) => Sample() with
    {
        Body = new AggregationBody
        {
            Round = 3, BaseModel = new byte[32], Used = [new WeightedInput(Enumerable.Repeat((byte)0x44, 32).ToArray(), 64)],
            Rejected = [new RejectedInput(Enumerable.Repeat((byte)0x55, 32).ToArray(), "judged_harmful")],
            ResultModel = Enumerable.Repeat((byte)0x66, 32).ToArray(), Judgements = judgements,
        },
    };

    [Fact]
    public void AnAggregationCitingJudgementsIsVersionTwoAndOneWithoutIsUnchanged()
    {
        var plain = Aggregation().Encode();
        var judged = Aggregation(Enumerable.Repeat((byte)0x77, 32).ToArray(), Enumerable.Repeat((byte)0x88, 32).ToArray()).Encode();
        Assert.Equal(1, plain[0]);
        Assert.Equal(2, judged[0]);
        // docs/ledger.md 3.1/3.2: the version 2 body is the version 1 body, then u32 count and the hashes.
        Assert.Equal(Convert.ToHexStringLower(plain.AsSpan(1)) + "00000002" + new string('7', 64) + new string('8', 64), Convert.ToHexStringLower(judged.AsSpan(1)));
        var back = (AggregationBody)LedgerEntry.Decode(judged).Body;
        Assert.Equal(2, back.Judgements.Count);
        Assert.Equal(judged, LedgerEntry.Decode(judged).Encode());
        Assert.Equal(2, back.ToJson()["judgements"]!.AsArray().Count);
        Assert.Null(((AggregationBody)LedgerEntry.Decode(plain).Body).ToJson()["judgements"]);
    }

    [Fact]
    public void VersionTwoIsOnlyForAnAggregationThatCitesSomething()
    {
        var plain = Aggregation().Encode();
        var emptyList = (byte[])[2, .. plain.AsSpan(1), 0, 0, 0, 0];
        Assert.Contains("at least one judgement", Assert.Throws<FormatException>(() => LedgerEntry.Decode(emptyList)).Message);
        var noList = (byte[])plain.Clone();
        noList[0] = 2;
        Assert.Contains("truncated", Assert.Throws<FormatException>(() => LedgerEntry.Decode(noList)).Message);
        var contribution = Sample().Encode();
        contribution[0] = 2;
        Assert.Contains("only for aggregations", Assert.Throws<FormatException>(() => LedgerEntry.Decode(contribution)).Message);
        var three = (byte[])plain.Clone();
        three[0] = 3;
        Assert.Contains("version 3", Assert.Throws<FormatException>(() => LedgerEntry.Decode(three)).Message);
    }

    [Fact]
    public void SignaturesAreDomainSeparated()
    {
        var key = DemoLedger.NodeKey("sep", 0);
        var entry = Sample() with { Author = LedgerSignatures.PublicKeyOf(key) };
        var signed = SignedEntry.Sign(key, entry);
        Assert.True(signed.VerifySignature());
        // The same bytes signed under the tree-head context are not an entry signature.
        var wrongContext = LedgerSignatures.Sign(key, LedgerSignatures.TreeHeadContext, signed.Bytes);
        Assert.False(SignedEntry.FromParts(signed.Bytes, wrongContext).VerifySignature());
        Assert.Throws<ArgumentException>(() => SignedEntry.Sign(DemoLedger.NodeKey("sep", 1), entry));
    }
}
