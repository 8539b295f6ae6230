using MessagePack;
using P2PNode.Core.Tests.Wire;
using P2PNode.Ledger.Demo;
using P2PNode.Ledger.Entries;
using P2PNode.Wire;
using P2PNode.Wire.Ledger;

namespace P2PNode.Core.Tests.Ledger.Sync;

// Golden bytes of every replication message (the hex examples of docs/ledger.md, "Replication protocol").
public sealed class LedgerWireTests
{
    private static readonly NSec.Cryptography.Key Author = DemoLedger.NodeKey("wire", 0), Witness = DemoLedger.NodeKey("wire", 1);
    private static readonly byte[] AuthorKey = LedgerSignatures.PublicKeyOf(Author);
    private static readonly SignedTreeHead Head = SignedTreeHead.Sign(Author, 2, Enumerable.Repeat((byte)0xab, 32).ToArray(), 1_767_225_600_000);
    private static readonly Cosignature Cosig = Cosignature.Sign(Witness, Head, 1_767_225_601_000);

    private static SignedEntry Entry(ulong seq, long time) => SignedEntry.Sign(Author, new LedgerEntry
    {
        Author = AuthorKey, Seq = seq, Prev = new byte[32], TimeMs = time, Run = new byte[32],
        Body = new RunGenesisBody { Name = "r", Model = "m", Hyperparameters = "{}", DataPolicy = "p", InitialModel = new byte[32] },
    });

    [Fact]
    public void GetLedgerEntries() => WireRoundTrip.Check(new GetLedgerEntries(AuthorKey, 5, 3, 8, 5),
        "9651c420" + Convert.ToHexStringLower(AuthorKey) + "0503" + "0805");

    [Fact]
    public void LedgerUnavailable() => WireRoundTrip.Check(new LedgerUnavailable(AuthorKey, 8, "no tree head of that size is held"),
        "9455c420" + Convert.ToHexStringLower(AuthorKey) + "08d9216e6f20747265652068656164206f6620746861742073697a652069732068656c64");

    [Fact]
    public void EveryMessageRoundTripsByteForByte()
    {
        WireMessage[] all =
        [
            new LedgerHeads([new LedgerHeadItem(Head, [Cosig])]),
            new LedgerEntries(0, [Entry(0, 1), Entry(1, 2)], Head, [new byte[32], Enumerable.Repeat((byte)1, 32).ToArray()]),
            new LedgerCosignature(Head, Cosig),
            new LedgerEvidence(new Equivocation { Kind = EquivocationKind.EntryFork, Author = AuthorKey, EntryA = Entry(0, 1), EntryB = Entry(0, 2) }),
            new LedgerEvidence(new Equivocation { Kind = EquivocationKind.TreeHeadFork, Author = AuthorKey, HeadA = Head, HeadB = Head with { }, Path = [new byte[32]] }),
        ];
        foreach (var m in all)
        {
            var bytes = WireCodec.Encode(m);
            WireRoundTrip.Check(m, Convert.ToHexStringLower(bytes));
        }
    }

    [Fact]
    public void LedgerCosignatureGolden()
    {
        // [83, [sth bytes, sth sig], [witness, time_ms, sig]]: the layout, checked field by field.
        var bytes = WireCodec.Encode(new LedgerCosignature(Head, Cosig));
        var expected = "9353" + "92c451" + Convert.ToHexStringLower(Head.Encode()) + "c440" + Convert.ToHexStringLower(Head.Signature)
            + "93c420" + Convert.ToHexStringLower(Cosig.Witness) + "cf" + 1_767_225_601_000L.ToString("x16") + "c440" + Convert.ToHexStringLower(Cosig.Signature);
        Assert.Equal(expected, Convert.ToHexStringLower(bytes));
    }

    [Theory]
    [InlineData("get_entries.count is 257, limit 256")]
    public void AnOversizedRequestIsMalformed(string reason)
    {
        var bytes = WireCodec.Encode(new GetLedgerEntries(AuthorKey, 0, 257, 300, 0));
        Assert.Equal(reason, Assert.Throws<WireFormatException>(() => WireCodec.Decode(bytes)).Message);
    }

    [Fact]
    public void MalformedLedgerMessagesAreRefusedWithTheFieldNamed()
    {
        // A head whose canonical bytes are one byte short; two heads of one author; unknown evidence kind; a short key.
        var shortHead = Encode((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2); w.Write((uint)80); w.WriteArrayHeader(1); w.WriteArrayHeader(2);
            w.WriteArrayHeader(2); w.Write(new byte[80]); w.Write(new byte[64]); w.WriteArrayHeader(0);
        });
        Assert.Equal("heads[0].head.bytes is 80 bytes, must be 81", Assert.Throws<WireFormatException>(() => WireCodec.Decode(shortHead)).Message);
        var twice = WireCodec.Encode(new LedgerHeads([new LedgerHeadItem(Head, []), new LedgerHeadItem(Head, [])]));
        Assert.StartsWith("heads[1]: a second head for author", Assert.Throws<WireFormatException>(() => WireCodec.Decode(twice)).Message);
        var kind = Encode((ref MessagePackWriter w) => { w.WriteArrayHeader(6); w.Write((uint)84); w.Write((uint)7); w.Write(AuthorKey); w.WriteNil(); w.WriteNil(); w.WriteNil(); });
        Assert.Equal("evidence.kind 7 is unknown (0 entry fork, 1 tree-head fork)", Assert.Throws<WireFormatException>(() => WireCodec.Decode(kind)).Message);
        var key = Encode((ref MessagePackWriter w) => { w.WriteArrayHeader(4); w.Write((uint)85); w.Write(new byte[31]); w.Write(1); w.Write("x"); });
        Assert.Equal("unavailable.author is 31 bytes, must be 32", Assert.Throws<WireFormatException>(() => WireCodec.Decode(key)).Message);
    }

    private delegate void Writer(ref MessagePackWriter w);

    private static byte[] Encode(Writer write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        write(ref w);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
