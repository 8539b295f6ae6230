namespace P2PNode.Metrics;

/// <summary>This process's memory as the kernel sees it (Linux /proc/self/status); null where that is not available.</summary>
public static class ProcessMemory
{
    /// <summary>Peak resident set size (VmHWM) in bytes: what the process ever held in RAM, native memory included.</summary>
    public static long? PeakResidentBytes() => ReadKiB("VmHWM:") * 1024;

    /// <summary>Current resident set size (VmRSS) in bytes.</summary>
    public static long? ResidentBytes() => ReadKiB("VmRSS:") * 1024;

    private static long? ReadKiB(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }
}
