using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace P2PNode.Config;

/// <summary>
/// Reads a bootstrap peers file (bootstrap/peers.toml, docs/configuration.md "Bootstrap peers file"): TOML made
/// only of <c>[[peer]]</c> tables, each with <c>address = "peerid@host:port"</c> and optional <c>name</c> and
/// <c>organisation</c> notes. Like node.toml it is strict: anything else is a <see cref="ConfigException"/>
/// naming the file, the line and the key, because a published list that silently loses entries would leave
/// new nodes unable to join.
/// </summary>
public static class BootstrapPeersFile
{
    /// <summary>Entries a file may hold (as many as network.bootstrap).</summary>
    public const int MaxEntries = 1000;
    private const int MaxFileBytes = 1024 * 1024;
    private static readonly string[] Keys = ["address", "name", "organisation"];

    /// <summary>Reads <paramref name="path"/>; a missing file is a ConfigException too (the caller decides
    /// whether a missing default file is acceptable).</summary>
    public static IReadOnlyList<BootstrapListEntry> Load(string path)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (Directory.Exists(path)) throw new ConfigException(path, null, null, "is a folder, not a bootstrap peers file");
            if (info.Exists && info.Length > MaxFileBytes)
                throw new ConfigException(path, null, null, $"{info.Length} bytes is larger than any bootstrap peers file (limit {MaxFileBytes})");
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException(path, null, null, "file not found (named by network.bootstrap_file)");
        }
        catch (UnauthorizedAccessException)
        {
            throw new ConfigException(path, null, null, "cannot read the file: permission denied");
        }
        catch (IOException e)
        {
            throw new ConfigException(path, null, null, $"cannot read the file: {e.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>Parses the text of a file called <paramref name="source"/> (used in error messages).</summary>
    public static IReadOnlyList<BootstrapListEntry> Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var syntax = SyntaxParser.Parse(text, source, validate: true);
        if (syntax.HasErrors)
        {
            var first = syntax.Diagnostics.First(d => d.Kind == DiagnosticMessageKind.Error);
            throw new ConfigException(source, first.Span.Start.Line + 1, null, $"invalid TOML: {first.Message.Replace('\u2424', ' ')}");
        }
        foreach (var kv in syntax.KeyValues)
            throw new ConfigException(source, TomlSyntax.Line(kv), TomlSyntax.KeyName(kv.Key), "keys must be inside a [[peer]] table");
        var entries = new List<BootstrapListEntry>();
        foreach (var table in syntax.Tables)
        {
            var name = TomlSyntax.KeyName(table.Name);
            if (table is not TableArraySyntax || name != "peer")
                throw new ConfigException(source, TomlSyntax.Line(table), name, $"only [[peer]] tables are allowed here, got {(table is TableArraySyntax ? $"[[{name}]]" : $"[{name}]")}");
            if (entries.Count == MaxEntries)
                throw new ConfigException(source, TomlSyntax.Line(table), "peer", $"at most {MaxEntries} entries");
            var entry = ReadPeer(table, entries.Count, source);
            if (entries.FirstOrDefault(e => e.Peer.PeerId == entry.Peer.PeerId) is { } earlier)
                throw new ConfigException(source, entry.Line, $"peer[{entries.Count}].address",
                    $"peer {entry.Peer.PeerId} is listed twice (first at line {earlier.Line})");
            entries.Add(entry);
        }
        return entries;
    }

    private static BootstrapListEntry ReadPeer(TableSyntaxBase table, int index, string source)
    {
        string? address = null, name = null, organisation = null;
        var addressLine = TomlSyntax.Line(table);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in table.Items)
        {
            var key = TomlSyntax.KeyName(item.Key);
            var dotted = $"peer[{index}].{key}";
            var line = TomlSyntax.Line(item);
            if (!Keys.Contains(key))
                throw new ConfigException(source, line, dotted, $"unknown key (keys of [[peer]]: {string.Join(", ", Keys)})");
            if (item.Value is not StringValueSyntax s)
                throw new ConfigException(source, line, dotted, "expected a string");
            var value = s.Value ?? "";
            if (!seen.Add(key)) throw new ConfigException(source, line, dotted, "appears twice in one [[peer]]");
            switch (key)
            {
                case "address":
                    address = value;
                    addressLine = line;
                    break;
                case "name":
                    name = Label(value, 64, source, line, dotted);
                    break;
                default:
                    organisation = Label(value, 128, source, line, dotted);
                    break;
            }
        }
        if (address is null)
            throw new ConfigException(source, TomlSyntax.Line(table), $"peer[{index}]", "has no address (address = \"peerid@host:port\")");
        if (!BootstrapPeer.TryParse(address, out var peer, out var error))
            throw new ConfigException(source, addressLine, $"peer[{index}].address", $"{ConfigValue.Quote(address)}: {error}");
        return new BootstrapListEntry(peer, name, organisation, TomlSyntax.Line(table));
    }

    // Notes are for people: bounded, printable; "" means no note.
    private static string? Label(string value, int max, string source, int line, string key)
    {
        if (value.Length > max) throw new ConfigException(source, line, key, $"at most {max} characters, got {value.Length}");
        if (value.Any(char.IsControl)) throw new ConfigException(source, line, key, "must not contain control characters");
        return value.Length == 0 ? null : value;
    }
}
