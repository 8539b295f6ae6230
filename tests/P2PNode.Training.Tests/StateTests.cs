using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using P2PNode.Training.Models;
using P2PNode.Training.State;

namespace P2PNode.Training.Tests;

[Collection("torch")]
public sealed class StateTests
{
    [Fact]
    public void FlatStateRoundTripsAndTheHashFollowsIt()
    {
        using var t = TestModels.Trainer(TestModels.TinyCnn);
        var before = t.GetFlat();
        var hashBefore = t.ModelHash();
        Assert.Equal(t.ParameterCount, before.Length);
        var changed = (float[])before.Clone();
        changed[^1] += 0.5f;
        t.SetFlat(changed);
        Assert.Equal(changed, t.GetFlat());
        Assert.NotEqual(hashBefore, t.ModelHash());
        t.SetFlat(before);
        Assert.Equal(hashBefore, t.ModelHash());
    }

    [Fact]
    public void SetFlatRefusesWrongLengthsAndNonFiniteValuesWithoutChangingTheModel()
    {
        using var t = TestModels.Trainer(TestModels.TinyMlp);
        var hash = t.ModelHash();
        var flat = t.GetFlat();
        Assert.Contains($"has {t.ParameterCount}", Assert.Throws<ArgumentException>(() => t.SetFlat(flat.AsSpan(1))).Message);
        flat[7] = float.NaN;
        Assert.Contains("element 7", Assert.Throws<ArgumentException>(() => t.SetFlat(flat)).Message);
        flat[7] = float.PositiveInfinity;
        Assert.Throws<ArgumentException>(() => t.SetFlat(flat));
        Assert.Equal(hash, t.ModelHash());
    }

    [Fact]
    public void TheHashIsSha256OverTheDocumentedCanonicalBytes()
    {
        using var t = TestModels.Trainer(TestModels.TinyMlp);
        var flat = t.GetFlat();
        // Rebuilt here from the documentation, independently of ModelHasher.
        var header = "p2pnode-model/v1\nmlp/v1 in=1x8x8 hidden=32 layers=1 classes=4\n" +
                     "fc0.weight 32,64\nfc0.bias 32\nout.weight 4,32\nout.bias 4\n\n";
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(header));
        var buf = new byte[4];
        foreach (var v in flat) { BinaryPrimitives.WriteSingleLittleEndian(buf, v); bytes.AddRange(buf); }
        Assert.Equal(SHA256.HashData(bytes.ToArray()), t.ModelHash());
    }

    [Fact]
    public void CheckpointsRoundTripAreDeterministicAndCarryMetadata()
    {
        using var a = TestModels.Trainer(TestModels.TinyCnn);
        a.TrainSteps(2);
        var first = Save(a, new Dictionary<string, string> { ["round"] = "7" });
        Assert.Equal(first, Save(a, new Dictionary<string, string> { ["round"] = "7" })); // content-addressable
        using var b = TestModels.Trainer(TestModels.TinyCnn);
        Assert.NotEqual(a.ModelHash(), b.ModelHash());
        var loaded = b.LoadCheckpoint(new MemoryStream(first));
        Assert.Equal(a.ModelHash(), b.ModelHash());
        Assert.Equal(a.ModelHash(), loaded.ModelHash);
        Assert.Equal("7", loaded.Metadata["round"]);
        Assert.Equal(TestModels.TinyCnn.Canonical, loaded.Metadata["spec"]);
    }

    [Fact]
    public void AWrongArchitectureIsRefusedClearly()
    {
        using var cnn = TestModels.Trainer(TestModels.TinyCnn);
        var bytes = Save(cnn);
        using var other = TestModels.Trainer(TestModels.TinyCnn with { Conv1Channels = 6 });
        var hash = other.ModelHash();
        var e = Assert.Throws<CheckpointException>(() => other.LoadCheckpoint(new MemoryStream(bytes)));
        Assert.Contains("different architecture", e.Message);
        Assert.Contains("c1=4", e.Message);
        Assert.Contains("c1=6", e.Message);
        Assert.Equal(hash, other.ModelHash());
        using var mlp = TestModels.Trainer(TestModels.TinyMlp);
        Assert.Contains("mlp/v1", Assert.Throws<CheckpointException>(() => mlp.LoadCheckpoint(new MemoryStream(bytes))).Message);
    }

    [Fact]
    public void CorruptOrTruncatedCheckpointsAreRefusedAndLeaveTheModelAlone()
    {
        using var t = TestModels.Trainer(TestModels.TinyCnn);
        var good = Save(t);
        using var target = TestModels.Trainer(TestModels.TinyCnn, seed: 2);
        var hash = target.ModelHash();

        var flipped = (byte[])good.Clone();
        flipped[^3] ^= 0x40; // a float in the last tensor
        Assert.Contains("corrupt", Assert.Throws<CheckpointException>(() => target.LoadCheckpoint(new MemoryStream(flipped))).Message);
        Assert.Contains("truncated", Assert.Throws<CheckpointException>(() => target.LoadCheckpoint(new MemoryStream(good[..^100]))).Message);
        Assert.Contains("after the data", Assert.Throws<CheckpointException>(() => target.LoadCheckpoint(new MemoryStream([.. good, 0]))).Message);
        var huge = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(huge, ulong.MaxValue / 2);
        Assert.Contains("header length", Assert.Throws<CheckpointException>(() => target.LoadCheckpoint(new MemoryStream(huge))).Message);
        var badJson = (byte[])good.Clone();
        badJson[8] = (byte)'[';
        Assert.Contains("JSON", Assert.Throws<CheckpointException>(() => target.LoadCheckpoint(new MemoryStream(badJson))).Message);
        Assert.Equal(hash, target.ModelHash());
    }

    [SkippableFact]
    public void SafetensorsExportIsReadByAnIndependentPythonReader()
    {
        Skip.IfNot(File.Exists("/usr/bin/python3"), "/usr/bin/python3 is not installed");
        using var dir = new TempDir();
        using var t = TestModels.Trainer(TestModels.TinyLm);
        using (var f = File.Create(dir.File("model.safetensors"))) t.ExportSafetensors(f);
        var flat = t.GetFlat();
        var expected = t.Layout.Entries.Select(e => new
        {
            name = e.Name,
            shape = e.Shape,
            // (index within tensor, IEEE bits) for the first, a middle and the last element: exact comparison.
            samples = new[] { 0L, e.Count / 2, e.Count - 1 }.Select(i => new[] { i, (long)BitConverter.SingleToUInt32Bits(flat[e.Offset + i]) }).ToArray(),
        }).ToArray();
        File.WriteAllText(dir.File("expected.json"), JsonSerializer.Serialize(new { spec = TestModels.TinyLm.Canonical, tensors = expected }));
        File.WriteAllText(dir.File("check.py"), PythonReader);
        var psi = new ProcessStartInfo("/usr/bin/python3", [dir.File("check.py"), dir.File("model.safetensors"), dir.File("expected.json")])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"python reader failed: {stdout}{stderr}");
        Assert.Equal($"ok {expected.Length} tensors", stdout.Trim());
    }

    // Only json + struct: the file format as published, nothing of ours.
    private const string PythonReader = """
        import json, struct, sys
        path, expected_path = sys.argv[1], sys.argv[2]
        exp = json.load(open(expected_path))
        data = open(path, 'rb').read()
        (n,) = struct.unpack('<Q', data[:8])
        assert n % 8 == 0, 'header not padded to 8 bytes'
        header = json.loads(data[8:8 + n].decode('utf-8'))
        meta = header.pop('__metadata__')
        assert meta['p2pnode.spec'] == exp['spec'], meta
        body = data[8 + n:]
        assert [t['name'] for t in exp['tensors']] == list(header.keys()), list(header.keys())
        end = 0
        for t in exp['tensors']:
            h = header[t['name']]
            assert h['dtype'] == 'F32', h
            assert h['shape'] == t['shape'], (t['name'], h['shape'], t['shape'])
            begin, stop = h['data_offsets']
            assert begin == end, 'tensors not contiguous'
            count = 1
            for d in h['shape']:
                count *= d
            assert stop - begin == 4 * count
            for index, bits in t['samples']:
                (got,) = struct.unpack('<I', body[begin + 4 * index: begin + 4 * index + 4])
                assert got == bits, (t['name'], index, got, bits)
            end = stop
        assert end == len(body), 'trailing bytes'
        print('ok', len(exp['tensors']), 'tensors')
        """;

    private static byte[] Save(Trainer.LocalTrainer t, IReadOnlyDictionary<string, string>? meta = null)
    {
        using var ms = new MemoryStream();
        t.SaveCheckpoint(ms, meta);
        return ms.ToArray();
    }
}
