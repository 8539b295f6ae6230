using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using P2PNode.Compression;

namespace P2PNode.Benchmarks;

/// <summary>
/// Delta codec throughput against a plain memory copy (Span.CopyTo) of the same float32 buffer measured in
/// the same run, so the ratios hold on any machine. Throughput is GB/s of float32 input (4 bytes/parameter).
/// Targets: quantization alone at least 25% of copy speed, top-k + error feedback + quantization at least 10%.
/// Usage: codec [--sizes 1000000,10000000] [--reps 15]
/// </summary>
public static class CodecBench
{
    private static readonly (string Name, DeltaCodecSpec Spec, bool ErrorFeedback, double Target)[] Cases =
    [
        ("int8/64", DeltaCodecSpec.Parse("int8/64"), false, 0.25),
        ("int4/64", DeltaCodecSpec.Parse("int4/64"), false, 0.25),
        ("int8/64 + EF", DeltaCodecSpec.Parse("int8/64"), true, 0), // no brief target: EF adds a guarded finiteness pass
        ("topk 1% + EF + int8/64", DeltaCodecSpec.Parse("topk:0.01+int8/64"), true, 0.10),
        ("topk 1% + EF + int4/64", DeltaCodecSpec.Parse("topk:0.01+int4/64"), true, 0.10),
        ("bf16", DeltaCodecSpec.Parse("bf16"), false, 0),
        ("fp16", DeltaCodecSpec.Parse("fp16"), false, 0),
    ];

    public static int Run(string[] args)
    {
        int[] sizes = [1_000_000, 10_000_000];
        var reps = 15;
        for (var a = 0; a < args.Length; a++)
        {
            if (args[a] == "--sizes" && a + 1 < args.Length)
                sizes = args[++a].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            else if (args[a] == "--reps" && a + 1 < args.Length)
                reps = int.Parse(args[++a], CultureInfo.InvariantCulture);
            else if (args[a] != "codec")
            {
                Console.Error.WriteLine($"codec bench: unknown argument '{args[a]}' (--sizes N,N --reps R)");
                return 2;
            }
        }
        Console.WriteLine($"# delta codec throughput, {Environment.ProcessorCount} cores, Vector256 accelerated: {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}, best of {reps} paired runs, clock: {ClockName}");
        var allMet = true;
        foreach (var n in sizes) allMet &= RunSize(n, reps);
        Console.WriteLine(allMet ? "all targets met" : "SOME TARGETS MISSED");
        return allMet ? 0 : 1;
    }

    private static bool RunSize(int n, int reps)
    {
        var x = Gaussian(n, 42);
        var copy = new float[n];
        Action copyOnce = () => x.AsSpan().CopyTo(copy);
        var gb = (double)n * 4 / 1e9;
        var rows = new List<string>();
        var met = true;
        var bestCopy = double.MaxValue;
        var decoded = new float[n];
        foreach (var (name, spec, ef, target) in Cases)
        {
            var encoder = new DeltaEncoder(spec);
            var residual = ef ? new ErrorFeedback(n) : null;
            var writer = new ArrayBufferWriter<byte>(n * 2 + 1024);
            var payload = new DeltaEncoder(spec).Encode(x);
            var error = RelativeError(x, DeltaDecoder.Decode(payload, n));
            var (copyEnc, encodeTime) = Paired(reps, copyOnce, () =>
            {
                writer.ResetWrittenCount();
                encoder.Encode(x, residual, writer);
            });
            var (copyDec, decodeTime) = Paired(reps, copyOnce, () => DeltaDecoder.Decode(payload, n, decoded));
            var (copyAdd, addTime) = Paired(reps, copyOnce, () => DeltaDecoder.DecodeAdd(payload, n, decoded, 1e-6f));
            bestCopy = Math.Min(bestCopy, Math.Min(copyEnc, Math.Min(copyDec, copyAdd)));
            var encRatio = copyEnc / encodeTime;
            var decRatio = copyDec / decodeTime;
            var ok = target == 0 || (encRatio >= target && decRatio >= target);
            met &= ok;
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {(double)payload.Length / n:F4} | {error:E2} | {gb / encodeTime:F2} | {encRatio:P0} | {gb / decodeTime:F2} | {decRatio:P0} | {copyAdd / addTime:P0} | {(target == 0 ? "-" : target.ToString("P0", CultureInfo.InvariantCulture))} | {(target == 0 ? "-" : ok ? "yes" : "NO")} |"));
        }
        Console.WriteLine();
        Console.WriteLine($"## n = {n:N0} parameters; memory copy {gb / bestCopy:F2} GB/s ({bestCopy * 1e3:F2} ms, best)");
        Console.WriteLine();
        Console.WriteLine("| codec | bytes/param | rel. L2 error | encode GB/s | encode / copy | decode GB/s | decode / copy | decode-add / copy | target | met |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var row in rows) Console.WriteLine(row);
        return met;
    }

    /// <summary>Best-of-reps times of the baseline and the operation, measured alternately so that both see
    /// the same machine load (the benchmark machine is shared); the minimum is the least disturbed run.</summary>
    private static (double Baseline, double Operation) Paired(int reps, Action baseline, Action operation)
    {
        baseline();
        operation();
        double b = double.MaxValue, o = double.MaxValue;
        for (var r = 0; r < reps; r++)
        {
            var t0 = Now();
            baseline();
            var t1 = Now();
            operation();
            var t2 = Now();
            b = Math.Min(b, t1 - t0);
            o = Math.Min(o, t2 - t1);
        }
        return (b, o);
    }

    /// <summary>Seconds of CPU time of this thread (Linux CLOCK_THREAD_CPUTIME_ID): time while descheduled by
    /// other processes does not count, which keeps ratios meaningful on a shared machine. Elsewhere: wall time.</summary>
    private static double Now()
    {
        if (OperatingSystem.IsLinux() && clock_gettime(ClockThreadCpuTime, out var ts) == 0) return ts.Seconds + ts.Nanoseconds * 1e-9;
        return Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
    }

    private static string ClockName => OperatingSystem.IsLinux() && clock_gettime(ClockThreadCpuTime, out _) == 0 ? "thread CPU time" : "wall time";

    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clockId, out TimeSpec time);

    private static double RelativeError(float[] x, float[] y)
    {
        double num = 0, den = 0;
        for (var i = 0; i < x.Length; i++)
        {
            num += ((double)x[i] - y[i]) * ((double)x[i] - y[i]);
            den += (double)x[i] * x[i];
        }
        return Math.Sqrt(num / den);
    }

    /// <summary>Pseudo-gradient-like data: Gaussian, sigma 1e-3, 0.1% outliers at 50 sigma.</summary>
    private static float[] Gaussian(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (var i = 0; i < n; i++)
        {
            var g = Math.Sqrt(-2 * Math.Log(1.0 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            x[i] = (float)(g * 1e-3 * (rng.NextDouble() < 0.001 ? 50 : 1));
        }
        return x;
    }
}
