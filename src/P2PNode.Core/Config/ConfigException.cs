namespace P2PNode.Config;

/// <summary>
/// A configuration problem, reported as ONE line an operator can act on:
/// <c>node.toml:14: network.max_inbound: must be between 1 and 100000, got 0</c>
/// (source, 1-based line when known, dotted key when known, what is wrong).
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string source, int? line, string? key, string reason)
        : base(Format(source, line, key, reason))
    {
        Source = source;
        Line = line;
        Key = key;
        Reason = reason;
    }

    /// <summary>The file name as given to the loader, or "command line" for overrides.</summary>
    public new string Source { get; }

    /// <summary>1-based line, or null when the problem has no line (missing file, command line).</summary>
    public int? Line { get; }

    /// <summary>Dotted key such as "network.listen" or "network.bootstrap[2]"; null for file-level errors.</summary>
    public string? Key { get; }

    public string Reason { get; }

    private static string Format(string source, int? line, string? key, string reason)
    {
        var where = line is null ? source : $"{source}:{line}";
        var what = key is null ? reason : $"{key}: {reason}";
        // One line, whatever a parser or the OS put into the reason.
        return $"{where}: {what}".ReplaceLineEndings(" ");
    }
}
