using Microsoft.Extensions.Logging;

namespace P2PNode.Config;

/// <summary>The [logging] section.</summary>
public sealed record LoggingSection
{
    /// <summary>Lowest level written: trace, debug, information, warning or error.</summary>
    public LogLevel Level { get; init; } = LogLevel.Information;
}
