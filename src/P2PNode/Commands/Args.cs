namespace P2PNode.Cli.Commands;

/// <summary>Thrown for a bad command line; the CLI prints it and exits with code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// A tiny parser for `--name value`, `--flag` and positional arguments. Every option a command reads is
/// marked as used; <see cref="EnsureAllUsed"/> then reports anything left over, so a typo never passes silently.
/// </summary>
public sealed class Args
{
    private readonly List<string> _positional = [];
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public Args(IReadOnlyList<string> argv)
    {
        for (var i = 0; i < argv.Count; i++)
        {
            var a = argv[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a == "--") { _positional.Add(a); continue; }
            var eq = a.IndexOf('=');
            if (eq > 0) { _options[a[2..eq]] = a[(eq + 1)..]; continue; }
            var name = a[2..];
            var hasValue = i + 1 < argv.Count && !argv[i + 1].StartsWith("--", StringComparison.Ordinal);
            _options[name] = hasValue ? argv[++i] : null;
        }
    }

    public IReadOnlyList<string> Positional => _positional;

    public string? Get(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out var v)) return null;
        return v ?? throw new UsageException($"--{name} needs a value");
    }

    public string Require(string name) => Get(name) ?? throw new UsageException($"--{name} is required");

    public bool Flag(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out var v)) return false;
        return v is null || v is "true" or "1" or "yes" ? true
            : v is "false" or "0" or "no" ? false
            : throw new UsageException($"--{name} is a flag; '{v}' is not true/false");
    }

    public int? GetInt(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        var s = Get(name);
        if (s is null) return null;
        if (!int.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new UsageException($"--{name} must be an integer in [{min}, {max}], got '{s}'");
        return v;
    }

    public double? GetDouble(string name)
    {
        var s = Get(name);
        if (s is null) return null;
        if (!double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new UsageException($"--{name} must be a number, got '{s}'");
        return v;
    }

    /// <summary>Call after reading every option: an option nobody asked for is a usage error.</summary>
    public void EnsureAllUsed(int maxPositional = 0)
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new UsageException($"unknown option --{unknown[0]}");
        if (_positional.Count > maxPositional) throw new UsageException($"unexpected argument '{_positional[maxPositional]}'");
    }
}
