namespace P2PNode.Config;

/// <summary>
/// Reads node.toml into a validated <see cref="NodeConfig"/> and applies command-line overrides. Every
/// problem — missing file, malformed TOML, unknown section or key, wrong type, out-of-range value, broken
/// cross-field rule — is a <see cref="ConfigException"/> whose message is one line with file, line and key.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Source name used in errors about overrides.</summary>
    public const string CommandLineSource = "command line";
    private const int MaxFileBytes = 1024 * 1024;

    /// <summary>Loads <paramref name="path"/>; relative paths inside resolve against its folder.</summary>
    public static NodeConfig Load(string path)
    {
        if (Directory.Exists(path)) throw new ConfigException(path, null, null, "is a folder, not a configuration file");
        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxFileBytes)
                throw new ConfigException(path, null, null, $"{info.Length} bytes is larger than any node.toml (limit {MaxFileBytes}); is it the right file?");
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException(path, null, null, "file not found");
        }
        catch (UnauthorizedAccessException)
        {
            throw new ConfigException(path, null, null, "cannot read the file: permission denied");
        }
        catch (IOException e)
        {
            throw new ConfigException(path, null, null, $"cannot read the file: {e.Message}");
        }
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Parses configuration text; relative paths resolve against the folder of <paramref name="sourceName"/>
    /// (the current directory when it has none).</summary>
    public static NodeConfig Parse(string text, string sourceName) =>
        Parse(text, sourceName, Path.GetDirectoryName(Path.GetFullPath(sourceName))!);

    public static NodeConfig Parse(string text, string sourceName, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(text);
        var document = ConfigDocument.FromToml(text, sourceName, baseDirectory);
        return Apply(Defaults(baseDirectory), document);
    }

    /// <summary>The configuration of an empty file whose folder is <paramref name="baseDirectory"/>.</summary>
    public static NodeConfig Defaults(string baseDirectory) =>
        new()
        {
            Node = new NodeSection { DataDir = Path.GetFullPath(".p2pnode", baseDirectory) },
            Peers = new NetworkSection { BootstrapFile = Path.GetFullPath(NetworkSection.DefaultBootstrapFile, baseDirectory), BootstrapFileIsDefault = true },
        };

    /// <summary>
    /// Applies dotted-key overrides ("network.listen" => "127.0.0.1:0,[::1]:0", "node.data_dir" => "/tmp/x")
    /// through the same validators as the file, then re-runs the cross-field checks. Array keys take a
    /// comma-separated list; relative paths resolve against the current directory.
    /// </summary>
    public static NodeConfig ApplyOverrides(NodeConfig config, IReadOnlyDictionary<string, string> overrides)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(overrides);
        if (overrides.Count == 0) return config;
        var document = ConfigDocument.FromOverrides(overrides, CommandLineSource, Environment.CurrentDirectory);
        return Apply(config, document);
    }

    private static NodeConfig Apply(NodeConfig config, ConfigDocument document)
    {
        var maps = ConfigSections.All;
        foreach (var table in document.Tables)
        {
            var sectionMaps = maps.Where(m => m.Section == table.Name).ToList();
            if (sectionMaps.Count == 0)
            {
                var known = maps.Select(m => m.Section).Distinct().ToList();
                throw new ConfigException(document.Source, table.Origin.Line, table.Name,
                    $"unknown section{Suggest(table.Name, known)} (known sections: {string.Join(", ", known)})");
            }
            foreach (var (key, value) in table.Entries)
            {
                var map = sectionMaps.FirstOrDefault(m => m.Keys.Contains(key));
                if (map is null)
                {
                    var known = sectionMaps.SelectMany(m => m.Keys).ToList();
                    throw value.Error($"unknown key{Suggest(key, known)} (keys of [{table.Name}]: {string.Join(", ", known)})");
                }
                config = map.Apply(config, key, value);
            }
        }
        foreach (var map in maps) map.Check(config, new ConfigCheck(document, map.Section));
        return config;
    }

    // "; did you mean max_inbound?" for a key one or two edits away from a known one.
    private static string Suggest(string given, IEnumerable<string> known)
    {
        var best = known.Select(k => (Key: k, Distance: Distance(given, k))).OrderBy(x => x.Distance).FirstOrDefault();
        return best.Key is not null && best.Distance <= 2 ? $"; did you mean {best.Key}?" : "";
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
