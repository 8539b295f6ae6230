using System.Runtime.InteropServices;

namespace P2PNode.Training;

/// <summary>
/// Keeps glibc's malloc from handing libtorch's per-step tensor buffers back to the kernel and faulting them in
/// again at the next step. With glibc's defaults, buffers above the (adaptive) mmap threshold are mmapped and
/// unmapped every step and the heap top is trimmed after each free; a training step of the byte LM then spent more
/// time in the kernel than in user space, and throughput fell over a run (measured: 243 samples/s over the first 50
/// steps, 73 samples/s over 200 steps). With a fixed 32 MiB mmap threshold and a 1 GiB trim threshold the same
/// run holds 315 samples/s (docs/results.md, "Native allocator"). Memory freed by torch stays in the process for
/// reuse (resident memory peaks where it would anyway). No effect on results, only on speed.
/// </summary>
public static class NativeAllocator
{
    private const int MallocTrimThreshold = -1; // M_TRIM_THRESHOLD in glibc's malloc.h
    private const int MallocMmapThreshold = -3; // M_MMAP_THRESHOLD

    private static int _configured;

    /// <summary>Applies the settings once per process; a no-op where the C library is not glibc. True if applied.</summary>
    public static bool Configure()
    {
        if (Interlocked.Exchange(ref _configured, 1) != 0) return Applied;
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("P2PNODE_DEFAULT_MALLOC") == "1") return false;
        try
        {
            Applied = mallopt(MallocMmapThreshold, 32 << 20) == 1 && mallopt(MallocTrimThreshold, 1 << 30) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Applied = false; // musl or another libc: keep its defaults
        }
        return Applied;
    }

    /// <summary>Whether <see cref="Configure"/> changed the allocator's settings in this process.</summary>
    public static bool Applied { get; private set; }

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);
}
