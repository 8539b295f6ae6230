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
