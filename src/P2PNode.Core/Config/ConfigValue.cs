using System.Globalization;

namespace P2PNode.Config;

/// <summary>
/// One raw value with its dotted key and origin. The As* methods convert and range-check it, throwing a
/// <see cref="ConfigException"/> that points at this value's line.
/// </summary>
internal sealed class ConfigValue
{
    public required string Key { get; init; }
    public required ConfigOrigin Origin { get; init; }
    public required ConfigValueKind Kind { get; init; }
    /// <summary>string, long, double or bool for scalar kinds; null otherwise.</summary>
    public object? Scalar { get; init; }
    public IReadOnlyList<ConfigValue> Items { get; init; } = [];

    public ConfigException Error(string reason) => new(Origin.Source, Origin.Line, Key, reason);

    public string AsString() => Kind is ConfigValueKind.String or ConfigValueKind.Text
        ? (string)Scalar!
        : throw Error($"expected a string, got {Describe()}");

    public long AsInteger(long min, long max)
    {
        long value;
        if (Kind == ConfigValueKind.Integer) value = (long)Scalar!;
        else if (Kind == ConfigValueKind.Text && long.TryParse((string)Scalar!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)) value = parsed;
        else throw Error($"expected an integer, got {Describe()}");
        if (value < min || value > max)
            throw Error(string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}, got {value}"));
        return value;
    }

    public int AsInt(int min, int max) => (int)AsInteger(min, max);

    public bool AsBoolean() => Kind switch
    {
        ConfigValueKind.Boolean => (bool)Scalar!,
        ConfigValueKind.Text when (string)Scalar! is "true" => true,
        ConfigValueKind.Text when (string)Scalar! is "false" => false,
        _ => throw Error($"expected true or false, got {Describe()}"),
    };

    /// <summary>Array elements; a command-line value is split on commas (each part keeps this origin).</summary>
    public IReadOnlyList<ConfigValue> AsArray(int maxCount)
    {
        IReadOnlyList<ConfigValue> items = Kind switch
        {
            ConfigValueKind.Array => Items,
            ConfigValueKind.Text => ((string)Scalar!).Length == 0 ? [] : ((string)Scalar!).Split(',')
                .Select((part, i) => new ConfigValue { Key = $"{Key}[{i}]", Origin = Origin, Kind = ConfigValueKind.Text, Scalar = part.Trim() })
                .ToList(),
            _ => throw Error($"expected an array, got {Describe()}"),
        };
        if (items.Count > maxCount) throw Error($"at most {maxCount} entries, got {items.Count}");
        return items;
    }

    /// <summary>A path, made absolute against the origin's base directory; "" is refused.</summary>
    public string AsPath()
    {
        var s = AsString();
        if (s.Length == 0) throw Error("must not be empty");
        if (s.Contains('\0')) throw Error("must not contain a NUL character");
        return Path.GetFullPath(s, Origin.BaseDirectory);
    }

    /// <summary>Like <see cref="AsPath"/>, but "" means "not set" and gives null.</summary>
    public string? AsOptionalPath() => AsString().Length == 0 ? null : AsPath();

    public string Describe() => Kind switch
    {
        ConfigValueKind.String => $"a string ({Quote((string)Scalar!)})",
        ConfigValueKind.Integer => string.Create(CultureInfo.InvariantCulture, $"an integer ({Scalar})"),
        ConfigValueKind.Float => string.Create(CultureInfo.InvariantCulture, $"a float ({Scalar})"),
        ConfigValueKind.Boolean => (bool)Scalar! ? "a boolean (true)" : "a boolean (false)",
        ConfigValueKind.DateTime => "a date-time",
        ConfigValueKind.Array => "an array",
        ConfigValueKind.Table => "a table",
        _ => Quote((string)Scalar!),
    };

    /// <summary>A string for an error message: quoted, shortened, control characters escaped.</summary>
    public static string Quote(string s)
    {
        var shown = s.Length > 120 ? s[..120] + "..." : s;
        return "\"" + string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c == '"' ? "\\\"" : c.ToString())) + "\"";
    }
}
