using TorchSharp;

namespace P2PNode.Training;

/// <summary>
/// The one place that decides where tensors live: "auto" picks CUDA when libtorch sees a GPU, else the CPU.
/// Tests and the CLI go through here, so a machine without a GPU (CI, most volunteers) never needs one.
/// </summary>
public static class DeviceResolver
{
    /// <param name="preference">"auto" (default), "cpu", "cuda" or "cuda:N". Asking for CUDA where there is none is an error, not a silent fallback.</param>
    public static torch.Device Resolve(string? preference = null)
    {
        var p = (preference ?? "auto").Trim().ToLowerInvariant();
        if (p is "auto") return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        if (p is "cpu") return torch.CPU;
        if (p.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException($"device '{preference}' requested but CUDA is not available on this machine (use 'auto' or 'cpu')");
            var index = 0;
            if (p.Length > 4 && (p[4] != ':' || !int.TryParse(p.AsSpan(5), out index) || index < 0 || index >= torch.cuda.device_count()))
                throw new ArgumentException($"device '{preference}': expected cuda:N with 0 <= N < {torch.cuda.device_count()}");
            return torch.device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"unknown device '{preference}' (expected auto, cpu, cuda or cuda:N)");
    }
}
