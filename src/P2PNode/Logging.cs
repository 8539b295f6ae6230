using Microsoft.Extensions.Logging;

namespace P2PNode.Cli;

/// <summary>Console logging for the node: one line per event with a timestamp, to stdout.</summary>
internal static class Logging
{
    public static ILoggerFactory Create(LogLevel level) => LoggerFactory.Create(b => b
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        })
        .SetMinimumLevel(level));
}
