using System.Diagnostics;

namespace P2PNode.Benchmarks;

/// <summary>
/// One transfer of the transport benchmark: wall-clock rate, and the CPU time each process spent per byte.
/// CPU per byte is what the code costs; the rate also depends on what else the two shared cores run.
/// </summary>
internal sealed record TransferRate(double BytesPerSecond, double SenderCpuPerByte, double ReceiverCpuPerByte)
{
    /// <summary>The better of two runs: the highest rate, the lowest CPU costs.</summary>
    public TransferRate Best(TransferRate? other) => other is null ? this : new(
        Math.Max(BytesPerSecond, other.BytesPerSecond),
        Math.Min(SenderCpuPerByte, other.SenderCpuPerByte),
        Math.Min(ReceiverCpuPerByte, other.ReceiverCpuPerByte));

    /// <summary>CPU seconds this process has used so far (all threads, user and kernel).</summary>
    public static double ProcessCpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
}
