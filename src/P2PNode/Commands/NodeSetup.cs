using P2PNode.Config;
using P2PNode.Identity;

namespace P2PNode.Cli.Commands;

/// <summary>
/// What every node command does first: find node.toml (--config F, --dir D, else ./node.toml, else
/// ./.p2pnode/node.toml), apply flag overrides (--listen, --data-dir, --passphrase-file, --log-level), and
/// load the key. Errors become one line on stderr and exit code 2 via <see cref="Guard"/>.
/// </summary>
internal static class NodeSetup
{
    public const string DefaultDir = ".p2pnode";
    public const string ConfigFileName = "node.toml";

    /// <summary>Reads the flags and loads config and identity. Commands with their own flags should read
    /// them, call <see cref="ReadFlags"/>, then <c>a.EnsureAllUsed()</c>, then <see cref="Load"/>.</summary>
    public static LoadedNode LoadConfig(Args a) => Load(ReadFlags(a));

    public static ConfigFlags ReadFlags(Args a)
    {
        var config = a.Get("config");
        var dir = a.Get("dir");
        if (config is not null && dir is not null) throw new UsageException("--config and --dir are alternatives; give one");
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        void Map(string flag, string key) { if (a.Get(flag) is { } v) overrides[key] = v; }
        Map("listen", "network.listen");
        Map("data-dir", "node.data_dir");
        Map("passphrase-file", "node.passphrase_file");
        Map("log-level", "logging.level");
        return new ConfigFlags(config, dir, overrides);
    }

    public static LoadedNode Load(ConfigFlags flags)
    {
        var (path, config) = LoadConfigOnly(flags);
        return new LoadedNode(path, config, LoadIdentity(config));
    }

    /// <summary>The configuration without touching the key (for commands that do not need it).</summary>
    public static (string Path, NodeConfig Config) LoadConfigOnly(ConfigFlags flags)
    {
        var path = ResolveConfigPath(flags);
        var config = ConfigLoader.ApplyOverrides(ConfigLoader.Load(path), flags.Overrides);
        return (Path.GetFullPath(path), config);
    }

    public static NodeIdentity LoadIdentity(NodeConfig config)
    {
        var passphrase = config.Node.PassphraseFile is { } file ? PassphraseFile.Read(file) : null;
        return KeyFile.Load(config.Node.KeyFilePath, passphrase);
    }

    private static string ResolveConfigPath(ConfigFlags flags)
    {
        if (flags.Config is not null) return flags.Config;
        if (flags.Dir is not null) return Path.Combine(flags.Dir, ConfigFileName);
        if (File.Exists(ConfigFileName)) return ConfigFileName;
        var inDefaultDir = Path.Combine(DefaultDir, ConfigFileName);
        if (File.Exists(inDefaultDir)) return inDefaultDir;
        throw new ConfigException(ConfigFileName, null, null,
            $"file not found here or in {DefaultDir}/ (run 'p2pnode init', or pass --config F or --dir D)");
    }

    /// <summary>Runs a command body, turning configuration, key file and I/O errors into exit code 2 with
    /// one line on stderr. Usage errors propagate to CommandLine, which does the same.</summary>
    public static async Task<int> Guard(string verb, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"p2pnode {verb}: {e.Message.ReplaceLineEndings(" ")}");
            return 2;
        }
    }
}
