using Microsoft.Extensions.Logging;

namespace P2PNode.Cli;

/// <summary>
/// Console logging for the commands: one line per event, on stderr. Stdout carries only what a script or a
/// test reads (the lines and JSON events documented in docs/runtime.md, "Output streams").
/// </summary>
internal static class Logging
{
    public static ILoggerFactory Create(LogLevel level, bool timestamps = true) => LoggerFactory.Create(b => b
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            if (!timestamps) return;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        })
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .SetMinimumLevel(level));
}
