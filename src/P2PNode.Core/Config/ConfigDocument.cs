using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace P2PNode.Config;

/// <summary>
/// The raw sections of one configuration source, before any key is interpreted. Built from Tomlyn's syntax
/// tree (not its object model) because only the tree keeps the line of every key and array element.
/// </summary>
internal sealed class ConfigDocument
{
    private ConfigDocument(string source, string baseDirectory)
    {
        Source = source;
        BaseDirectory = baseDirectory;
    }

    public string Source { get; }
    public string BaseDirectory { get; }
    public List<ConfigTable> Tables { get; } = [];

    public ConfigTable? Find(string section) => Tables.FirstOrDefault(t => t.Name == section);

    public static ConfigDocument FromToml(string text, string source, string baseDirectory)
    {
        var doc = new ConfigDocument(source, baseDirectory);
        var syntax = SyntaxParser.Parse(text, source, validate: true);
        if (syntax.HasErrors)
        {
            var first = syntax.Diagnostics.First(d => d.Kind == DiagnosticMessageKind.Error);
            throw new ConfigException(source, first.Span.Start.Line + 1, null, $"invalid TOML: {first.Message.Replace('\u2424', ' ')}");
        }
        foreach (var kv in syntax.KeyValues)
        {
            var key = TomlSyntax.KeyName(kv.Key);
            throw new ConfigException(source, TomlSyntax.Line(kv), key, $"keys must be inside a section such as [node] or [network]");
        }
        foreach (var table in syntax.Tables)
        {
            var name = TomlSyntax.KeyName(table.Name);
            if (table is TableArraySyntax)
                throw new ConfigException(source, TomlSyntax.Line(table), name, "arrays of tables ([[...]]) are not used in this file");
            var origin = new ConfigOrigin(source, TomlSyntax.Line(table), baseDirectory);
            if (doc.Find(name) is { } earlier)
                throw new ConfigException(source, origin.Line, name, $"section [{name}] appears twice (first at line {earlier.Origin.Line})");
            var t = new ConfigTable(name, origin);
            foreach (var item in table.Items)
            {
                var key = TomlSyntax.KeyName(item.Key);
                t.Add(key, Convert(item.Value!, $"{name}.{key}", source, baseDirectory));
            }
            doc.Tables.Add(t);
        }
        return doc;
    }

    /// <summary>Command-line overrides: dotted key => text, typed later by each key's own validator.</summary>
    public static ConfigDocument FromOverrides(IReadOnlyDictionary<string, string> overrides, string source, string baseDirectory)
    {
        var doc = new ConfigDocument(source, baseDirectory);
        var origin = new ConfigOrigin(source, null, baseDirectory);
        foreach (var (dotted, text) in overrides)
        {
            var dot = dotted.LastIndexOf('.');
            if (dot <= 0 || dot == dotted.Length - 1)
                throw new ConfigException(source, null, dotted, "an override key is 'section.key', e.g. network.listen");
            var section = dotted[..dot];
            var table = doc.Find(section);
            if (table is null) doc.Tables.Add(table = new ConfigTable(section, origin));
            table.Add(dotted[(dot + 1)..], new ConfigValue { Key = dotted, Origin = origin, Kind = ConfigValueKind.Text, Scalar = text });
        }
        return doc;
    }

    private static ConfigValue Convert(ValueSyntax value, string key, string source, string baseDirectory)
    {
        var origin = new ConfigOrigin(source, value.Span.Start.Line + 1, baseDirectory);
        return value switch
        {
            StringValueSyntax s => new() { Key = key, Origin = origin, Kind = ConfigValueKind.String, Scalar = s.Value ?? "" },
            IntegerValueSyntax i => new() { Key = key, Origin = origin, Kind = ConfigValueKind.Integer, Scalar = i.Value },
            FloatValueSyntax f => new() { Key = key, Origin = origin, Kind = ConfigValueKind.Float, Scalar = f.Value },
            BooleanValueSyntax b => new() { Key = key, Origin = origin, Kind = ConfigValueKind.Boolean, Scalar = b.Value },
            DateTimeValueSyntax => new() { Key = key, Origin = origin, Kind = ConfigValueKind.DateTime },
            ArraySyntax a => new()
            {
                Key = key, Origin = origin, Kind = ConfigValueKind.Array,
                Items = a.Items.Select((item, i) => Convert(item.Value!, $"{key}[{i}]", source, baseDirectory)).ToList(),
            },
            _ => new() { Key = key, Origin = origin, Kind = ConfigValueKind.Table },
        };
    }
}
