using System.Buffers.Binary;
using P2PNode.Ledger.Entries;
using P2PNode.Training.Runtime;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>docs/runtime.md §2, the Judgements message (kind 3): real signed Attestation entries from a real ledger;
/// every malformed case is an <see cref="InvalidDataException"/> naming what is wrong.</summary>
public sealed class RunMessageJudgementsTests : IDisposable
{
    private readonly RunPeer _peer = new();
    private readonly byte[] _run;
    private readonly List<SignedEntry> _attestations;

    public RunMessageJudgementsTests()
    {
        var model = new byte[32];
        _run = _peer.CreateRun(new RunSpec { Model = "mlp" }.ToJson(), model);
        _attestations = [.. Enumerable.Range(0, 3).Select(i => Attest(7, i))];
    }

    private SignedEntry Attest(ulong round, int i, EntryBody? body = null) => _peer.Ledger.AppendOwn(_peer.Identity.SigningKey, body ?? new AttestationBody
    {
        Round = round, Contribution = Enumerable.Repeat((byte)(i + 1), 32).ToArray(), Samples = 100, LossBefore = 0.5, LossAfter = 0.5 + i,
    }, _run);

    public void Dispose() => _peer.Dispose();

    [Fact]
    public void JudgementsRoundTripWithTheDocumentedLayout()
    {
        var message = RunMessage.EncodeJudgements(7, _attestations);
        Assert.Equal([1, 3], message[..2]);
        Assert.Equal(7UL, BinaryPrimitives.ReadUInt64BigEndian(message.AsSpan(2)));
        Assert.Equal(3, BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(10)));
        Assert.Equal((uint)_attestations[0].Bytes.Length, BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(12)));
        Assert.Equal(12 + _attestations.Sum(e => 4 + e.Bytes.Length + 64), message.Length);
        var (round, items) = RunMessage.DecodeJudgements(message);
        Assert.Equal(7UL, round);
        Assert.Equal(_attestations.Select(e => e.Hash), items.Select(x => x.Entry.Hash));
        Assert.Equal([0.5, 1.5, 2.5], items.Select(x => x.Body.LossAfter));
        // Nothing judged is a valid message: it tells the others not to wait.
        var (_, none) = RunMessage.DecodeJudgements(RunMessage.EncodeJudgements(9, []));
        Assert.Empty(none);
    }

    private static void Malformed(byte[] message, string mention) =>
        Assert.Contains(mention, Assert.Throws<InvalidDataException>(() => RunMessage.DecodeJudgements(message)).Message, StringComparison.OrdinalIgnoreCase);

    [Fact]
    public void EveryMalformedJudgementsMessageIsRefusedWithItsReason()
    {
        var good = RunMessage.EncodeJudgements(7, _attestations);
        Malformed(good[..11], "truncated");
        Malformed([.. good, 0], "after its last attestation");
        Malformed(good[..^1], "exceeds the message");
        var many = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(many.AsSpan(10), RunMessage.MaxJudgements + 1);
        Malformed(many, "over");
        var otherRound = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64BigEndian(otherRound.AsSpan(2), 8);
        Malformed(otherRound, "of round 7, the message of round 8");
        var badSig = (byte[])good.Clone();
        badSig[12 + 4 + _attestations[0].Bytes.Length] ^= 1;
        Malformed(badSig, "signature does not verify");
        var join = RunMessage.EncodeJudgements(7, [_peer.Join(_run)]);
        Malformed(join, "not an attestation");
        var badEntry = (byte[])good.Clone();
        badEntry[12 + 4] = 9; // the first entry's version byte
        Malformed(badEntry, "malformed");
    }
}
