using P2PNode.Compression;
using P2PNode.Identity;
using P2PNode.Overlay;
using P2PNode.Training.Runtime;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>docs/runtime.md §2: what <see cref="TrainingNode.Validate"/> does with hostile or redundant payloads on
/// the run topic (verdict, counter, and the rejection event peer scoring hangs on).</summary>
[Collection("torch")]
public sealed class TrainingNodeValidateTests : IDisposable
{
    private readonly InProcessRun _run = new(1, new RunSpec { Model = "mlp", Rounds = 2, InnerSteps = 2, MinNodes = 1, EvalSamples = 0 });
    private readonly RunPeer _a = new();
    private readonly RunPeer _b = new();
    private readonly List<(PeerId Peer, string Reason)> _rejections = [];
    private readonly byte[] _delta = new DeltaEncoder(DeltaCodecSpec.Parse("topk:0.5+int8/64")).Encode(Enumerable.Range(0, 16).Select(i => i * 0.1f).ToArray());

    public TrainingNodeValidateTests()
    {
        _a.Join(_run.Run);
        _b.Join(_run.Run);
        Node.ContributionRejected += (peer, reason) => _rejections.Add((peer, reason));
    }

    private TrainingNode Node => _run.Nodes[0];

    private long Count(string name) => _run.Metrics[0].Get(name);

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _run.Dispose();
    }

    private byte[] Contribution(RunPeer p, ulong round, byte[]? run = null, byte[]? delta = null)
    {
        delta ??= _delta;
        return RunMessage.EncodeContribution(p.Contribute(run ?? _run.Run, round, _run.InitialModel, delta), delta);
    }

    private ValidationResult From(RunPeer origin, byte[] payload) => Node.Validate(_run.Delivery(origin.Id, payload));

    [Fact]
    public void AContributionSignedByAnotherKeyThanTheOriginIsRejectedAsNotAuthor()
    {
        var m = Contribution(_a, 0);
        Assert.Equal(ValidationResult.Reject, From(_b, m));
        Assert.Equal(1, Count("training_contributions_rejected_not_author"));
        Assert.Equal([(_b.Id, "not_author")], _rejections);
        Assert.Equal(0, Count("training_contributions_received"));
        // The genuine author may still deliver it: the refusal did not file it.
        Assert.Equal(ValidationResult.Accept, From(_a, m));
        Assert.Equal(1, Count("training_contributions_received"));
    }

    [Fact]
    public void JudgementsAreDecodedBeforeTheLockKeptOnceAndRefusedWhenForgedOrInARunWithoutJudging()
    {
        var judged = new InProcessRun(1, _run.Spec with { JudgeSamples = 10 });
        try
        {
            _a.Join(judged.Run);
            var kept = new List<P2PNode.Ledger.Entries.SignedEntry>();
            var node = new TrainingNode(judged.Contexts[0] with { KeepEntry = kept.Add });
            ValidationResult Prepared(TrainingNode n, InProcessRun run, RunPeer origin, byte[] m) =>
                n.Validate(run.Delivery(origin.Id, m) with { Prepared = n.Prepare(run.Topic, origin.Id, m) });
            byte[] Judgements(byte[] run) => RunMessage.EncodeJudgements(0, [_a.Ledger.AppendOwn(_a.Identity.SigningKey, new P2PNode.Ledger.Entries.AttestationBody
            {
                Round = 0, Contribution = new byte[32], Samples = 10, LossBefore = 1, LossAfter = 2,
            }, run)]);

            var m = Judgements(judged.Run);
            Assert.IsNotType<InvalidDataException>(node.Prepare(judged.Topic, _a.Id, m));
            Assert.Equal(ValidationResult.Reject, Prepared(node, judged, _b, m)); // not the author
            Assert.Equal(ValidationResult.Accept, Prepared(node, judged, _a, m));
            Assert.Equal(ValidationResult.Ignore, Prepared(node, judged, _a, m)); // nothing new
            Assert.Single(kept);
            var forged = (byte[])m.Clone();
            forged[^1] ^= 0x01; // inside the attestation's signature
            Assert.IsType<InvalidDataException>(node.Prepare(judged.Topic, _a.Id, forged));
            Assert.Equal(ValidationResult.Reject, Prepared(node, judged, _a, forged));
            // The run of this class does not judge: Judgements are ignored, and nothing is kept or held.
            Assert.Equal(ValidationResult.Ignore, Prepared(Node, _run, _a, Judgements(_run.Run)));
            Assert.Equal(1, Count("training_judgements_out_of_window"));
        }
        finally { judged.Dispose(); }
    }

    [Fact]
    public void ContributionsDecodedBeforeTheLockGetTheSameVerdictsAndTheirEntriesGoToTheLedger()
    {
        var kept = new List<P2PNode.Ledger.Entries.SignedEntry>();
        var node = new TrainingNode(_run.Contexts[0] with { KeepEntry = kept.Add });
        ValidationResult Prepared(RunPeer origin, byte[] m) =>
            node.Validate(_run.Delivery(origin.Id, m) with { Prepared = node.Prepare(_run.Topic, origin.Id, m) });

        var m = Contribution(_a, 0);
        Assert.Equal(ValidationResult.Reject, Prepared(_b, m)); // not the author: its entry is not kept
        Assert.Empty(kept);
        Assert.Equal(ValidationResult.Accept, Prepared(_a, m));
        Assert.Equal(ValidationResult.Ignore, Prepared(_a, m)); // a duplicate: the entry is valid all the same
        Assert.Equal(2, kept.Count);
        Assert.Equal(RunMessage.DecodeContribution(m).Entry.Hash, kept[0].Hash);

        var forged = Contribution(_a, 1);
        forged[forged.Length - _delta.Length - 61] ^= 0x04; // inside the entry's signature
        Assert.IsType<InvalidDataException>(node.Prepare(_run.Topic, _a.Id, forged));
        Assert.Equal(ValidationResult.Reject, Prepared(_a, forged));
        Assert.Equal(1, Count("training_contributions_rejected_malformed"));
        Assert.Equal(2, kept.Count);
    }

    [Fact]
    public void AForgedSignatureIsRejectedAsMalformed()
    {
        var m = Contribution(_a, 0);
        var sigAt = m.Length - _delta.Length - 64;
        m[sigAt + 3] ^= 0x04;
        Assert.Equal(ValidationResult.Reject, From(_a, m));
        Assert.Equal(1, Count("training_contributions_rejected_malformed"));
        Assert.Equal([(_a.Id, "malformed")], _rejections);
    }

    [Fact]
    public void TheSameContributionTwiceIsIgnoredAndCountedOnce()
    {
        var m = Contribution(_a, 0);
        Assert.Equal(ValidationResult.Accept, From(_a, m));
        Assert.Equal(ValidationResult.Ignore, From(_a, m));
        Assert.Equal(ValidationResult.Ignore, From(_a, (byte[])m.Clone()));
        Assert.Equal(1, Count("training_contributions_received"));
        Assert.Equal(2, Count("training_contributions_duplicate"));
        Assert.Empty(_rejections);
    }

    [Fact]
    public void ASecondDifferentContributionForTheSameRoundIsEquivocation()
    {
        Assert.Equal(ValidationResult.Accept, From(_a, Contribution(_a, 0)));
        Assert.Equal(ValidationResult.Reject, From(_a, Contribution(_a, 0, delta: [.. _delta.Reverse()])));
        Assert.Equal(1, Count("training_contributions_rejected_equivocation"));
        Assert.Equal([(_a.Id, "equivocation")], _rejections);
        // Another round by the same author is fine.
        Assert.Equal(ValidationResult.Accept, From(_a, Contribution(_a, 1)));
    }

    [Fact]
    public void AContributionOfAnotherRunIsRejectedAsWrongRun()
    {
        Assert.Equal(ValidationResult.Reject, From(_a, Contribution(_a, 0, run: Enumerable.Repeat((byte)5, 32).ToArray())));
        Assert.Equal(1, Count("training_contributions_rejected_wrong_run"));
    }

    [Fact]
    public void AContributionFarAheadIsIgnoredWithoutOffence()
    {
        Assert.Equal(ValidationResult.Ignore, From(_a, Contribution(_a, 3)));
        Assert.Empty(_rejections);
        Assert.Equal(0, Count("training_contributions_received"));
    }

    [Fact]
    public void MalformedStatusesAreRejectedAndAGoodOneAccepted()
    {
        var hash = new byte[32];
        var nan = new float[32];
        nan[3] = float.NaN;
        Assert.Equal(ValidationResult.Reject, From(_a, RunMessage.EncodeStatus(0, hash, nan)));
        Assert.Equal(ValidationResult.Reject, From(_a, RunMessage.EncodeStatus(0, hash, new float[16])));
        Assert.Equal(ValidationResult.Reject, From(_a, RunMessage.EncodeStatus(0, hash, new float[32])[..^2]));
        Assert.Equal(3, Count("training_contributions_rejected_malformed"));
        Assert.Equal(1, Node.ActiveMembers());
        Assert.Equal(ValidationResult.Accept, From(_a, RunMessage.EncodeStatus(0, hash, new float[32])));
        Assert.Equal(2, Node.ActiveMembers());
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 1 })]
    [InlineData(new byte[] { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x11, 0x22 })]
    [InlineData(new byte[] { 1, 9, 0, 0 })]
    [InlineData(new byte[] { 2, 1, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 1, 0xff, 0xff, 0xff, 0xff, 1, 2, 3 })]
    [InlineData(new byte[] { 1, 2, 0, 0 })]
    public void GarbageIsRejected(byte[] payload)
    {
        Assert.Equal(ValidationResult.Reject, From(_a, payload));
        Assert.Equal(1, Count("training_contributions_rejected_malformed"));
        Assert.Equal([(_a.Id, "malformed")], _rejections);
    }

    [Fact]
    public void TheCodecCannotCarryNaNSoNoValidPayloadHoldsOne()
    {
        // docs/runtime.md §3 step 7 refuses non-finite values as `nan`; a valid payload cannot hold one: the encoder
        // refuses to write it and the decoder refuses a payload whose float values are NaN.
        var values = new float[64];
        values[5] = float.NaN;
        foreach (var codec in new[] { "fp32", "topk:0.5+fp32", "topk:0.1+int8/64", "fp16", "int4/32" })
        {
            var spec = DeltaCodecSpec.Parse(codec);
            Assert.Throws<ArgumentException>(() => new DeltaEncoder(spec).Encode(values));
        }
        var good = new DeltaEncoder(DeltaCodecSpec.Parse("fp32")).Encode(Enumerable.Repeat(1f, 64).ToArray());
        var bad = (byte[])good.Clone();
        BitConverter.GetBytes(float.NaN).CopyTo(bad, bad.Length - 4);
        Assert.Throws<DeltaFormatException>(() => DeltaDecoder.Decode(bad, 64));
        Assert.Equal(64, DeltaDecoder.Decode(good, 64).Length);
    }
}
