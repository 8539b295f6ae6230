using System.Buffers.Binary;
using P2PNode.Training.Runtime;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>docs/runtime.md §7 (state.bin: atomic, checksummed, a damaged file refused clearly) and §6 (the sketch).</summary>
public sealed class NodeStateAndSketchTests : IDisposable
{
    private readonly TempDir _dir = new();
    private string File => _dir.File("state.bin");

    public void Dispose() => _dir.Dispose();

    private static NodeState Sample(int n = 50) => new(
        7, Enumerable.Range(0, 32).Select(i => (byte)(i + 1)).ToArray(),
        Enumerable.Range(0, n).Select(i => i * 0.5f - 3).ToArray(), [9, 8, 7, 6, 5],
        Enumerable.Range(0, n).Select(i => -i * 0.25f).ToArray(), 123456789012);

    [Fact]
    public void SaveLoadRoundTripsEveryFieldAndLeavesNoTemporaryFile()
    {
        var s = Sample();
        s.Save(File);
        Assert.False(System.IO.File.Exists(File + ".tmp"));
        var back = NodeState.Load(File, 50)!;
        Assert.Equal(s.Round, back.Round);
        Assert.Equal(s.ModelHash, back.ModelHash);
        Assert.Equal(s.Model, back.Model);
        Assert.Equal(s.OuterState, back.OuterState);
        Assert.Equal(s.Residual, back.Residual);
        Assert.Equal(s.StepsDone, back.StepsDone);
        // Layout: magic, u64 BE round.
        var bytes = System.IO.File.ReadAllBytes(File);
        Assert.Equal("P2PNSTA1"u8.ToArray(), bytes[..8]);
        Assert.Equal(7UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(8)));
        // Overwriting keeps the newest.
        (s with { Round = 8 }).Save(File);
        Assert.Equal(8UL, NodeState.Load(File, 50)!.Round);
    }

    [Fact]
    public void MissingFileIsNull() => Assert.Null(NodeState.Load(_dir.File("none.bin"), 50));

    [Fact]
    public void EveryFlippedByteIsRefusedAsDamaged()
    {
        Sample().Save(File);
        var good = System.IO.File.ReadAllBytes(File);
        for (var i = 0; i < good.Length; i += 7)
        {
            var bad = (byte[])good.Clone();
            bad[i] ^= 0x10;
            System.IO.File.WriteAllBytes(File, bad);
            var e = Assert.Throws<InvalidDataException>(() => NodeState.Load(File, 50));
            Assert.Contains(File, e.Message, StringComparison.Ordinal);
        }
        var b2 = (byte[])good.Clone();
        b2[100] ^= 1;
        System.IO.File.WriteAllBytes(File, b2);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => NodeState.Load(File, 50)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedFileIsRefused()
    {
        Sample().Save(File);
        var good = System.IO.File.ReadAllBytes(File);
        foreach (var n in new[] { 0, 7, 8, 40, good.Length / 2, good.Length - 33, good.Length - 1 })
        {
            System.IO.File.WriteAllBytes(File, good[..n]);
            Assert.Throws<InvalidDataException>(() => NodeState.Load(File, 50));
        }
    }

    [Fact]
    public void ACorrectlyChecksummedFileWithLyingLengthsIsRefusedNotACrash()
    {
        // Recompute the checksum after editing the model length: only the structure check can catch it.
        Sample().Save(File);
        var bytes = System.IO.File.ReadAllBytes(File);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(48), 1_000_000);
        System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
        System.IO.File.WriteAllBytes(File, bytes);
        Assert.Throws<InvalidDataException>(() => NodeState.Load(File, 50));
    }

    [Fact]
    public void WrongParameterCountIsRefused()
    {
        Sample().Save(File);
        var e = Assert.Throws<InvalidDataException>(() => NodeState.Load(File, 51));
        Assert.Contains("50", e.Message, StringComparison.Ordinal);
        Assert.Contains("51", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SketchOfIdenticalModelsIsZeroDistanceAndOfDifferentModelsPositive()
    {
        var n = 10_000;
        var a = Enumerable.Range(0, n).Select(i => MathF.Sin(i)).ToArray();
        var b = a.ToArray();
        b[1234] += 0.5f;
        var sketch = new ModelSketch(seed: 5, n);
        var sa = sketch.Of(a);
        Assert.Equal(ModelSketch.Size, sa.Length);
        Assert.Equal(32, ModelSketch.Size);
        Assert.Equal(0, ModelSketch.RelativeDistance(sa, sketch.Of(a.ToArray())));
        var far = a.Select(x => x + 0.1f).ToArray();
        Assert.True(ModelSketch.RelativeDistance(sa, sketch.Of(far)) > 0);
        // A change anywhere moves the sketch only if a tap hits it; a dense change always does.
        var scaled = a.Select(x => x * 1.01f).ToArray();
        Assert.InRange(ModelSketch.RelativeDistance(sa, sketch.Of(scaled)), 0.005, 0.02);
        Assert.Throws<ArgumentException>(() => ModelSketch.RelativeDistance(sa, new float[31]));
    }

    [Fact]
    public void SameSeedGivesTheSameSketchOnEveryNodeAndAnotherSeedAnother()
    {
        var model = Enumerable.Range(0, 5000).Select(i => MathF.Cos(i * 0.3f)).ToArray();
        Assert.Equal(new ModelSketch(9, model.Length).Of(model), new ModelSketch(9, model.Length).Of(model));
        Assert.NotEqual(new ModelSketch(9, model.Length).Of(model), new ModelSketch(10, model.Length).Of(model));
    }

    [Fact]
    public void SketchFollowsTheDocumentedConstruction()
    {
        // docs/runtime.md §6: System.Random(seed*7919+17); per value, 4096 taps (or all parameters if fewer), each
        // an index then a sign (Next(2) == 0 => -1).
        const long seed = 3;
        var n = 100;
        var model = Enumerable.Range(0, n).Select(i => (float)i).ToArray();
        var rng = new Random((int)(seed * 7919 + 17));
        var expected = new float[32];
        for (var j = 0; j < 32; j++)
        {
            double sum = 0;
            for (var t = 0; t < Math.Min(4096, n); t++)
            {
                var idx = rng.Next(n);
                sum += (rng.Next(2) == 0 ? -1 : 1) * model[idx];
            }
            expected[j] = (float)sum;
        }
        Assert.Equal(expected, new ModelSketch(seed, n).Of(model));
    }
}
