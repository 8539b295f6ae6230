using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace P2PNode.Training;

/// <summary>
/// Sends CPU convolutions to ATen's own im2col + GEMM kernels by turning off libtorch's oneDNN (mkldnn) and NNPACK.
/// Why oneDNN: with the libtorch 2.10 that TorchSharp 0.107 ships, its convolution backward sometimes returns NaN for
/// whole channels of the input gradient while the forward, the weight gradient and the output gradient are finite.
/// It shows only while another thread frees native memory (the .NET finalizer releasing tensors, another trainer):
/// measured with TinyCnn, two backward passes per fresh model while another thread forces collections, 8 to 19 of
/// 3,000 models got NaN gradients with oneDNN on and 0 of 6,000 with it off; CI once failed on exactly this. A kernel
/// that does that may also return finite wrong values, so correctness comes first; the cost (about a third of the
/// CNN's CPU speed) is in docs/results.md, "CPU convolutions". Why NNPACK: it is the next backend ATen tries, is
/// unsupported on these CPUs and prints a warning per thread each time it is tried.
/// <c>P2PNODE_ONEDNN=1</c> leaves both on (for that benchmark and to reproduce the fault). CUDA (cuDNN) is unaffected.
/// </summary>
public static class CpuConvolution
{
    private static int _configured;

    /// <summary>Applies the switch once per process. True if oneDNN is now off.</summary>
    public static bool Configure()
    {
        if (Interlocked.Exchange(ref _configured, 1) != 0) return OneDnnOff;
        if (Environment.GetEnvironmentVariable("P2PNODE_ONEDNN") == "1") return false;
        try
        {
            // libtorch exports no C function for these flags; at::globalContext() and Context's non-virtual setters
            // are plain C++ symbols, called with the context as the first argument (the Itanium C++ ABI).
            var lib = NativeLibrary.Load("libtorch_cpu.so", typeof(Tensor).Assembly, null);
            SetFlag(lib, "_ZN2at7Context20setUserEnabledNNPACKEb", "_ZNK2at7Context17userEnabledNNPACKEv");
            OneDnnOff = SetFlag(lib, "_ZN2at7Context20setUserEnabledMkldnnEb", "_ZNK2at7Context17userEnabledMkldnnEv");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            OneDnnOff = false; // another libtorch build without these symbols: keep its defaults
        }
        return OneDnnOff;
    }

    /// <summary>Whether <see cref="Configure"/> turned oneDNN off in this process.</summary>
    public static bool OneDnnOff { get; private set; }

    /// <summary>Turns one of Context's user-enabled flags off; true if reading it back says off.</summary>
    private static unsafe bool SetFlag(IntPtr lib, string setter, string getter)
    {
        var context = ((delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(lib, "_ZN2at13globalContextEv"))();
        if (context == IntPtr.Zero) return false;
        ((delegate* unmanaged<IntPtr, byte, void>)NativeLibrary.GetExport(lib, setter))(context, 0);
        return ((delegate* unmanaged<IntPtr, byte>)NativeLibrary.GetExport(lib, getter))(context) == 0;
    }
}
