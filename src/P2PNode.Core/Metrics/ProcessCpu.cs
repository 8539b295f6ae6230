using System.Globalization;

namespace P2PNode.Metrics;

/// <summary>CPU time as the kernel accounts it (user + system), for the whole process or the calling thread.</summary>
public static class ProcessCpu
{
    /// <summary>Kernel clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>CPU seconds used by this process so far (all threads).</summary>
    public static double TotalSeconds() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>CPU seconds used by the calling thread so far (Linux /proc/thread-self/stat, 10 ms resolution); null
    /// where that is not available.</summary>
    public static double? CurrentThreadSeconds()
    {
        try
        {
            var stat = File.ReadAllText("/proc/thread-self/stat");
            // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { return null; }
    }
}
