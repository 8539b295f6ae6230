using System.Security.Cryptography;
using P2PNode.Config;
using P2PNode.Identity;

namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode init [--dir D] [--passphrase-file F] [--force-config]`: creates a node folder (default
/// ./.p2pnode) with a new key and a commented node.toml, and prints the peer id. An existing key is never
/// replaced (exit 2, nothing changed). An existing node.toml is kept and obeyed (the key goes where it
/// says) unless --force-config replaces it with the default text.
/// </summary>
internal static class InitCommand
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static Task<int> RunAsync(Args a) => NodeSetup.Guard("init", () =>
    {
        var dir = Path.GetFullPath(a.Get("dir") ?? NodeSetup.DefaultDir);
        var passphraseFlag = a.Get("passphrase-file");
        var forceConfig = a.Flag("force-config");
        a.EnsureAllUsed();

        // Everything that can fail is checked before anything is written.
        var configPath = Path.Combine(dir, NodeSetup.ConfigFileName);
        var keepConfig = File.Exists(configPath) && !forceConfig;
        var passphrasePath = passphraseFlag is null ? null : Path.GetFullPath(passphraseFlag);
        var newConfigText = DefaultConfigFile.Render(".", passphrasePath);
        var config = keepConfig ? ConfigLoader.Load(configPath) : ConfigLoader.Parse(newConfigText, configPath, dir);
        var passphraseSource = passphrasePath ?? config.Node.PassphraseFile;
        var passphrase = passphraseSource is null ? null : PassphraseFile.Read(passphraseSource);
        var keyPath = config.Node.KeyFilePath;
        if (File.Exists(keyPath) || Directory.Exists(keyPath))
            throw new KeyFileException(KeyFileError.AlreadyExists,
                $"key file '{keyPath}' already exists; refusing to overwrite a node identity (its peer id: p2pnode id --config '{configPath}')");

        CreateFolder(dir);
        CreateFolder(config.Node.DataDir);
        CreateFolder(Path.GetDirectoryName(keyPath)!);
        using var identity = NodeIdentity.Generate();
        KeyFile.Create(keyPath, identity, passphrase);
        Console.WriteLine($"created key   {keyPath} ({(passphrase is null ? "not encrypted" : $"encrypted with the passphrase in {passphraseSource}")})");

        if (keepConfig)
        {
            Console.WriteLine($"kept config   {configPath} (--force-config replaces it with the default)");
            if (passphrasePath is not null && passphrasePath != config.Node.PassphraseFile)
                Console.WriteLine($"note: {configPath} does not name {passphrasePath} as node.passphrase_file; set it there or pass --passphrase-file to every command");
        }
        else
        {
            WriteConfig(configPath, newConfigText);
            Console.WriteLine($"{(forceConfig ? "replaced config" : "wrote config ")} {configPath}");
        }
        Console.WriteLine($"peer id: {identity.PeerId}");
        return Task.FromResult(0);
    });

    private static void CreateFolder(string path)
    {
        if (Directory.Exists(path)) return;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, OwnerOnlyFolder);
    }

    // Temp file + rename, so a crash never leaves a half-written node.toml behind.
    private static void WriteConfig(string path, string text)
    {
        var temp = $"{path}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}.tmp";
        try
        {
            File.WriteAllText(temp, text);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
