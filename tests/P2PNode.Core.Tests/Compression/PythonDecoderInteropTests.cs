using System.Diagnostics;
using System.Runtime.InteropServices;
using P2PNode.Compression;

namespace P2PNode.Core.Tests.Compression;

/// <summary>
/// Proves docs/deltas.md is enough to implement a decoder: tests/interop/delta_decode.py holds the document's
/// section 7 Python decoder verbatim (checked here), and must turn payloads from the C# <see cref="DeltaEncoder"/>
/// into exactly the float32 bits <see cref="DeltaDecoder"/> produces, for every value codec and index coding.
/// It must also refuse what the C# decoder refuses.
/// </summary>
public sealed class PythonDecoderInteropTests
{
    private const string Python = "/usr/bin/python3";

    // Every value codec, both index codings (varints at low density, bitmap at high), dense, odd k for int4
    // padding, block sizes 1..128, n not a multiple of 8 (bitmap padding) or of the block size.
    private static readonly (string Spec, int N)[] Cases =
    [
        ("fp32", 257), ("fp16", 300), ("bf16", 301), ("int8/64", 1000), ("int8/1", 33), ("int8/128", 4097),
        ("int4/64", 1001), ("int4/2", 15), ("topk:0.01+int8/64", 5000), ("topk:0.3+int8/16", 999),
        ("topk:0.05+int4/64", 3001), ("topk:0.5+int4/8", 77), ("topk:0.02+bf16", 2500), ("topk:0.2+fp16", 640),
        ("topk:0.001+fp32", 10007), ("topk:1+int8/64", 100),
    ];

    [Fact]
    public void Script_holds_the_documented_decoder_verbatim()
    {
        var doc = File.ReadAllText(RepoFile("docs", "deltas.md"));
        var section = doc[doc.IndexOf("## 7. Reference decoder", StringComparison.Ordinal)..doc.IndexOf("## 8. Aggregation", StringComparison.Ordinal)];
        var start = section.IndexOf("```python\n", StringComparison.Ordinal) + "```python\n".Length;
        var documented = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        var script = File.ReadAllText(RepoFile("tests", "interop", "delta_decode.py"));
        const string begin = "# BEGIN docs/deltas.md section 7\n", end = "# END docs/deltas.md section 7";
        var from = script.IndexOf(begin, StringComparison.Ordinal) + begin.Length;
        Assert.Equal(documented, script[from..script.IndexOf(end, StringComparison.Ordinal)]);
    }

    [Fact]
    public void Python_reference_decoder_is_bit_identical_to_DeltaDecoder()
    {
        var dir = Directory.CreateTempSubdirectory("p2pnode-delta-interop-");
        try
        {
            var expected = new List<string>();
            var args = new List<string>();
            var rng = new Random(20261128);
            foreach (var (spec, n) in Cases)
            {
                var encoder = new DeltaEncoder(DeltaCodecSpec.Parse(spec));
                var residual = new ErrorFeedback(n);
                for (var round = 0; round < 2; round++) // round 2 encodes delta + residual: other values, other indices
                {
                    var payload = encoder.Encode(Delta(rng, n), residual);
                    var path = Path.Combine(dir.FullName, $"{args.Count / 2}.bin");
                    File.WriteAllBytes(path, payload);
                    args.Add(path);
                    args.Add(n.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    expected.Add(Convert.ToHexStringLower(MemoryMarshal.AsBytes(DeltaDecoder.Decode(payload, n).AsSpan())));
                }
            }
            var (code, lines) = RunScript(args);
            Assert.Equal(0, code);
            Assert.Equal(expected.Count, lines.Length);
            for (var i = 0; i < expected.Count; i++)
                Assert.True(expected[i] == lines[i], $"payload {i} ({Cases[i / 2].Spec}, n = {Cases[i / 2].N}): Python decoded other bits");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Python_reference_decoder_refuses_what_DeltaDecoder_refuses()
    {
        var dir = Directory.CreateTempSubdirectory("p2pnode-delta-interop-");
        try
        {
            var n = 200;
            var good = new DeltaEncoder(DeltaCodecSpec.Parse("topk:0.05+int8/4")).Encode(Delta(new Random(5), n));
            var bad = new List<byte[]>
            {
                good[..^1],                                   // truncated
                good.Append((byte)0).ToArray(),               // trailing byte
                Patch(good, 4, 2),                            // version 2
                Patch(good, 5, 9),                            // unknown codec
                Patch(good, good.Length - 1, 0x80),           // int8 code -128
                Patch(good, 24, 0),                           // first index moved to 0: may well be valid; both must agree
            };
            var args = new List<string>();
            var cSharpRejects = new List<bool>();
            foreach (var (p, i) in bad.Select((p, i) => (p, i)))
            {
                var path = Path.Combine(dir.FullName, $"{i}.bin");
                File.WriteAllBytes(path, p);
                args.AddRange([path, n.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                try { DeltaDecoder.Decode(p, n); cSharpRejects.Add(false); }
                catch (DeltaFormatException) { cSharpRejects.Add(true); }
            }
            // n mismatch on the good payload.
            var goodPath = Path.Combine(dir.FullName, "good.bin");
            File.WriteAllBytes(goodPath, good);
            args.AddRange([goodPath, "201"]);
            cSharpRejects.Add(true);

            var (_, lines) = RunScript(args);
            Assert.Equal(cSharpRejects.Count, lines.Length);
            for (var i = 0; i < lines.Length; i++)
                Assert.True(cSharpRejects[i] == lines[i].StartsWith("error: ", StringComparison.Ordinal),
                    $"case {i}: C# {(cSharpRejects[i] ? "rejects" : "accepts")}, Python printed '{lines[i][..Math.Min(60, lines[i].Length)]}'");
            Assert.True(cSharpRejects.Count(r => r) >= 6);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static byte[] Patch(byte[] p, int offset, byte value)
    {
        var copy = (byte[])p.Clone();
        copy[offset] = value;
        return copy;
    }

    /// <summary>Pseudo-gradient-like values: small Gaussian, a few outliers, exact zeros, a -0 and subnormals.</summary>
    private static float[] Delta(Random rng, int n)
    {
        var d = new float[n];
        for (var i = 0; i < n; i++)
        {
            var g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            d[i] = (float)(g * 1e-3 * (rng.Next(100) == 0 ? 50 : 1));
        }
        d[n / 3] = 0f;
        d[n / 2] = -0f;
        d[n - 1] = 1e-40f;
        return d;
    }

    private static (int Code, string[] Lines) RunScript(IEnumerable<string> args)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing (Debian's python3; any Python 3 with the standard library works)");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepoFile("tests", "interop", "delta_decode.py"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), "delta_decode.py did not finish in 120 s");
        Assert.True(stderr.Result.Length == 0 || process.ExitCode != 2, "delta_decode.py failed: " + stderr.Result);
        return (process.ExitCode, stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>A file of this repository, found by walking up from the test binaries to the folder holding docs/deltas.md.</summary>
    private static string RepoFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "docs", "deltas.md")) && Directory.Exists(Path.Combine(dir.FullName, "tests", "interop")))
                return Path.Combine([dir.FullName, .. parts]);
        Assert.Fail($"repository root (with docs/deltas.md and tests/interop/) not found above {AppContext.BaseDirectory}");
        return null!;
    }
}
