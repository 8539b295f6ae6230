using System.Buffers.Binary;
using P2PNode.Compression;
using P2PNode.Hashing;
using P2PNode.Ledger.Entries;
using P2PNode.Training.Runtime;
using P2PNode.Transfer;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>docs/runtime.md §2: the Contribution and Status payloads of a run's gossip topic, with a real signed
/// ledger entry from a real SQLite ledger; every malformed case is an <see cref="InvalidDataException"/>.</summary>
public sealed class RunMessageTests : IDisposable
{
    private readonly RunPeer _peer = new();
    private readonly byte[] _run;
    private readonly byte[] _base = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
    private readonly byte[] _delta;
    private readonly SignedEntry _entry;
    private readonly byte[] _message;

    public RunMessageTests()
    {
        _run = _peer.CreateRun(new RunSpec { Model = "mlp" }.ToJson(), _base);
        var values = Enumerable.Range(0, 100).Select(i => (float)Math.Sin(i)).ToArray();
        _delta = new DeltaEncoder(DeltaCodecSpec.Parse("topk:0.1+int8/64")).Encode(values);
        _entry = _peer.Contribute(_run, 4, _base, _delta, samples: 321);
        _message = RunMessage.EncodeContribution(_entry, _delta);
    }

    public void Dispose() => _peer.Dispose();

    [Fact]
    public void ContributionRoundTripsWithTheDocumentedLayout()
    {
        // version, kind, u32 BE entry length, entry, 64-byte signature, delta.
        Assert.Equal(1, _message[0]);
        Assert.Equal(1, _message[1]);
        Assert.Equal((uint)_entry.Bytes.Length, BinaryPrimitives.ReadUInt32BigEndian(_message.AsSpan(2)));
        Assert.Equal(_entry.Bytes, _message.AsSpan(6, _entry.Bytes.Length).ToArray());
        Assert.Equal(_entry.Signature, _message.AsSpan(6 + _entry.Bytes.Length, 64).ToArray());
        Assert.Equal(_delta, _message.AsSpan(6 + _entry.Bytes.Length + 64).ToArray());
        Assert.Equal(6 + _entry.Bytes.Length + 64 + _delta.Length, _message.Length);

        var (entry, body, delta) = RunMessage.DecodeContribution(_message);
        Assert.Equal(_entry.Hash, entry.Hash);
        Assert.Equal(_entry.Signature, entry.Signature);
        Assert.Equal(_delta, delta.ToArray());
        Assert.Same(_message, delta.Array); // a slice of the message, not a copy
        Assert.Equal(4UL, body.Round);
        Assert.Equal(321UL, body.Samples);
        Assert.Equal(_base, body.BaseModel);
        Assert.Equal(_run, entry.Entry.Run);
        Assert.Equal(_peer.Identity.PublicKey, entry.Author);
        Assert.Equal(_message, RunMessage.EncodeContribution(entry, delta));
        // The entry is exactly the one stored in the author's ledger.
        Assert.Equal(_entry.Hash, _peer.Ledger.GetByHash(entry.Hash)!.Hash);
    }

    private static void Malformed(byte[] message, string? mention = null)
    {
        var e = Assert.Throws<InvalidDataException>(() => RunMessage.DecodeContribution(message));
        if (mention is not null) Assert.Contains(mention, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    private byte[] Copy() => (byte[])_message.Clone();

    [Fact]
    public void TruncatedHeaderIsRefused()
    {
        Malformed([], "shorter than its header");
        Malformed([1], "shorter than its header");
        Malformed([1, 1], null);
        Malformed([1, 1, 0, 0, 0], null);
    }

    [Fact]
    public void EntryLengthPastTheEndIsRefused()
    {
        var m = Copy();
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(2), uint.MaxValue);
        Malformed(m, "exceeds");
        // Long enough for the entry but not for the signature after it.
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(2), (uint)(m.Length - 6 - 63));
        Malformed(m, "exceeds");
        // The header alone with no entry at all.
        Malformed(m[..6]);
    }

    [Fact]
    public void BadEntryBytesAreRefused()
    {
        var m = Copy();
        m[6] = 9; // entry version
        Malformed(m, "malformed");
        m = Copy();
        m[7] = 77; // entry kind
        Malformed(m, "malformed");
        // One byte shorter entry: the entry is truncated and the rest shifts.
        m = Copy();
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(2), (uint)_entry.Bytes.Length - 1);
        Malformed(m, "malformed");
        // A zero-length entry.
        Malformed([1, 1, 0, 0, 0, 0, .. new byte[64]], "malformed");
    }

    [Fact]
    public void AnEntryOfAnotherKindIsRefused()
    {
        var join = _peer.Own().First(e => e.Kind == EntryKind.Join);
        Malformed(RunMessage.EncodeContribution(join, []), "not a contribution");
    }

    [Fact]
    public void BadSignatureIsRefused()
    {
        var m = Copy();
        m[6 + _entry.Bytes.Length + 10] ^= 0x01;
        Malformed(m, "signature");
        // A valid signature of another entry.
        var other = _peer.Contribute(_run, 5, _base, _delta);
        m = Copy();
        other.Signature.CopyTo(m, 6 + _entry.Bytes.Length);
        Malformed(m, "signature");
    }

    [Fact]
    public void DeltaSizeMismatchIsRefused()
    {
        Malformed([.. _message, 0], "bytes");
        Malformed(_message[..^1], "bytes");
    }

    [Fact]
    public void DeltaHashMismatchIsRefused()
    {
        var m = Copy();
        m[^1] ^= 0x80;
        Malformed(m, "payload hash");
    }

    [Fact]
    public void WrongVersionAndUnknownKindAreRefused()
    {
        var m = Copy();
        m[0] = 2;
        Malformed(m, "version");
        m = Copy();
        m[1] = 9;
        Malformed(m);
        Assert.Equal(9, RunMessage.KindOf(m));
        m[0] = 0;
        Assert.Throws<InvalidDataException>(() => RunMessage.KindOf(m));
    }

    [Fact]
    public void EveryTruncationAndEverySingleBitFlipIsAnInvalidDataException()
    {
        for (var n = 0; n < _message.Length; n++)
            Assert.Throws<InvalidDataException>(() => RunMessage.DecodeContribution(_message[..n]));
        for (var i = 0; i < _message.Length; i++)
        {
            var m = Copy();
            m[i] ^= (byte)(1 << (i % 8));
            Assert.Throws<InvalidDataException>(() => RunMessage.DecodeContribution(m));
        }
    }

    [Fact]
    public void StatusRoundTripsWithTheDocumentedLayout()
    {
        var hash = Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray();
        var sketch = Enumerable.Range(0, 32).Select(i => i * -1.25f + 0.5f).ToArray();
        var m = RunMessage.EncodeStatus(0x0102030405060708, hash, sketch);
        Assert.Equal(2 + 8 + 32 + 32 + 2 + 4 * 32, m.Length);
        Assert.Equal([1, 2, 1, 2, 3, 4, 5, 6, 7, 8], m[..10]);
        Assert.Equal(hash, m[10..42]);
        Assert.Equal(new byte[32], m[42..74]);
        Assert.Equal([0, 32], m[74..76]);
        Assert.Equal(sketch[1], BinaryPrimitives.ReadSingleBigEndian(m.AsSpan(80)));
        var (round, h, objectId, s, momentum) = RunMessage.DecodeStatus(m);
        Assert.Equal(0x0102030405060708UL, round);
        Assert.Equal(Digest256.FromBytes(hash, "hash"), h);
        Assert.Equal(default, objectId);
        Assert.Equal(sketch, s);
        Assert.Null(momentum); // the older layout: no momentum object
        var sevens = ObjectId.FromBytes(Enumerable.Repeat((byte)7, 32).ToArray());
        var served = RunMessage.DecodeStatus(RunMessage.EncodeStatus(new RunStatus(5, Digest256.FromBytes(hash, "hash"), sevens, sketch)));
        Assert.True(served.Serves);
        Assert.Equal(sevens, served.ObjectId);
        Assert.Empty(RunMessage.DecodeStatus(RunMessage.EncodeStatus(3, hash, [])).Sketch);
        Assert.Throws<InvalidDataException>(() => RunMessage.DecodeContribution(m));
    }

    [Fact]
    public void StatusCarriesTheMomentumObjectAfterTheSketch()
    {
        var hash = Digest256.FromBytes(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), "hash");
        var momentum = Enumerable.Range(0, 32).Select(i => (byte)(100 + i)).ToArray();
        foreach (var n in new[] { 32, 0 })
        {
            var sketch = Enumerable.Range(0, n).Select(i => i * 0.25f).ToArray();
            var m = RunMessage.EncodeStatus(new RunStatus(9, hash, default, sketch, ObjectId.FromBytes(momentum)));
            Assert.Equal(76 + 4 * n + 32, m.Length);
            Assert.Equal(momentum, m[^32..]);
            var status = RunMessage.DecodeStatus(m);
            Assert.Equal(ObjectId.FromBytes(momentum), status.MomentumId);
            Assert.True(status.ServesMomentum);
            Assert.Equal(sketch, status.Sketch);
            Assert.Throws<InvalidDataException>(() => RunMessage.DecodeStatus(m.AsSpan(..^1)));
            Assert.Throws<InvalidDataException>(() => RunMessage.DecodeStatus([.. m, 0]));
        }
        // 32 zero bytes: the field is there, but no state is served.
        var none = RunMessage.DecodeStatus(RunMessage.EncodeStatus(new RunStatus(9, hash, default, [], default(ObjectId))));
        Assert.Equal(default(ObjectId), none.MomentumId);
        Assert.False(none.ServesMomentum);
        Assert.False(RunMessage.DecodeStatus(RunMessage.EncodeStatus(9, hash.ToBytes(), [])).ServesMomentum);
    }

    [Fact]
    public void MalformedStatusesAreRefused()
    {
        var hash = new byte[32];
        var good = RunMessage.EncodeStatus(1, hash, new float[32]);
        // n > 64, with the bytes to match it.
        var big = new byte[76 + 4 * 65];
        good[..74].CopyTo(big, 0);
        BinaryPrimitives.WriteUInt16BigEndian(big.AsSpan(74), 65);
        var e = Assert.Throws<InvalidDataException>(() => RunMessage.DecodeStatus(big));
        Assert.Contains("64", e.Message, StringComparison.Ordinal);
        // Length mismatch both ways.
        Assert.Throws<InvalidDataException>(() => RunMessage.DecodeStatus(good.AsSpan(..^1)));
        Assert.Throws<InvalidDataException>(() => RunMessage.DecodeStatus([.. good, 0]));
        Assert.Throws<InvalidDataException>(() => RunMessage.DecodeStatus(good.AsSpan(..75)));
        // Non-finite sketch values.
        foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var sketch = new float[32];
            sketch[17] = bad;
            e = Assert.Throws<InvalidDataException>(() => RunMessage.DecodeStatus(RunMessage.EncodeStatus(1, hash, sketch)));
            Assert.Contains("non-finite", e.Message, StringComparison.Ordinal);
        }
        // Kind and version.
        var m = (byte[])good.Clone();
        m[1] = 1;
        Assert.Throws<InvalidDataException>(() => RunMessage.DecodeStatus(m));
        m[1] = 2;
        m[0] = 3;
        Assert.Throws<InvalidDataException>(() => RunMessage.DecodeStatus(m));
        // The encoder refuses what no decoder accepts.
        Assert.Throws<ArgumentException>(() => RunMessage.EncodeStatus(1, hash, new float[65]));
        Assert.Throws<ArgumentException>(() => RunMessage.EncodeStatus(1, new byte[31], []));
    }
}
