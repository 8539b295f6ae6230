using P2PNode.Identity;

namespace P2PNode.Core.Tests.Identity;

// File modes are POSIX; these tests run on Linux (the deployment target).
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeyFileTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string KeyPath => _dir.File("node.key");

    // Weakest Argon2id costs keep these tests fast; one test below uses the real defaults.
    private void CreateFast(NodeIdentity id, string? passphrase) => KeyFile.Create(KeyPath, id, passphrase, Argon2Settings.Weakest);

    private static KeyFileError Fails(Action load) => Assert.Throws<KeyFileException>(load).Error;

    [Fact]
    public void Plaintext_round_trip_restores_the_same_key()
    {
        using var id = NodeIdentity.Generate();
        CreateFast(id, null);
        using var loaded = KeyFile.Load(KeyPath, null);
        Assert.Equal(id.PeerId, loaded.PeerId);
        Assert.Equal(id.Sign("x"u8), loaded.Sign("x"u8));
        var text = File.ReadAllText(KeyPath);
        Assert.Contains("encryption: none", text);
        Assert.Contains($"peer-id: {id.PeerId}", text);
    }

    [Theory]
    [InlineData("correct horse battery staple")]
    [InlineData("pässwörd with spaces and 🔑 ")]
    public void Encrypted_round_trip_restores_the_same_key(string passphrase)
    {
        using var id = NodeIdentity.Generate();
        CreateFast(id, passphrase);
        using var loaded = KeyFile.Load(KeyPath, passphrase);
        Assert.Equal(id.PeerId, loaded.PeerId);
        Assert.Equal(id.Sign("x"u8), loaded.Sign("x"u8));
        var text = File.ReadAllText(KeyPath);
        Assert.Contains("encryption: argon2id-xchacha20poly1305", text);
        Assert.DoesNotContain("private-key", text);
        Assert.DoesNotContain(Convert.ToBase64String(id.SigningKey.Export(NSec.Cryptography.KeyBlobFormat.RawPrivateKey)), text);
    }

    [Fact]
    public void Default_parameters_are_64_MiB_and_3_passes_and_load()
    {
        using var id = NodeIdentity.Generate();
        KeyFile.Create(KeyPath, id, "pw");
        var text = File.ReadAllText(KeyPath);
        Assert.Contains("kdf-memory-kib: 65536\n", text);
        Assert.Contains("kdf-passes: 3\n", text);
        Assert.Contains("kdf-parallelism: 1\n", text);
        using var loaded = KeyFile.Load(KeyPath, "pw");
        Assert.Equal(id.PeerId, loaded.PeerId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Created_file_has_mode_0600_and_no_temp_file_is_left(bool encrypted)
    {
        using var id = NodeIdentity.Generate();
        CreateFast(id, encrypted ? "pw" : null);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(KeyPath));
        Assert.Equal(["node.key"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Never_overwrites_an_existing_key()
    {
        using var first = NodeIdentity.Generate();
        using var second = NodeIdentity.Generate();
        CreateFast(first, null);
        var before = File.ReadAllBytes(KeyPath);
        var e = Assert.Throws<KeyFileException>(() => CreateFast(second, null));
        Assert.Equal(KeyFileError.AlreadyExists, e.Error);
        Assert.IsAssignableFrom<IOException>(e);
        Assert.Contains("already exists; refusing to overwrite", e.Message);
        Assert.Equal(before, File.ReadAllBytes(KeyPath));
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Never_overwrites_any_existing_file_or_folder()
    {
        using var id = NodeIdentity.Generate();
        var other = _dir.Write("notes.txt", "precious");
        Assert.Equal(KeyFileError.AlreadyExists, Fails(() => KeyFile.Create(other, id, null)));
        Assert.Equal("precious", File.ReadAllText(other));
        Directory.CreateDirectory(_dir.File("folder"));
        Assert.Equal(KeyFileError.AlreadyExists, Fails(() => KeyFile.Create(_dir.File("folder"), id, null)));
    }

    [Fact]
    public void Creating_in_a_missing_folder_fails_clearly()
    {
        using var id = NodeIdentity.Generate();
        var e = Assert.Throws<DirectoryNotFoundException>(() => KeyFile.Create(_dir.File("missing/node.key"), id, null));
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void Empty_passphrase_is_refused_at_creation()
    {
        using var id = NodeIdentity.Generate();
        Assert.Throws<ArgumentException>(() => CreateFast(id, ""));
        Assert.False(File.Exists(KeyPath));
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherWrite, "0402")]
    public void Loading_refuses_a_key_readable_by_others_like_ssh(UnixFileMode mode, string octal)
    {
        using var id = NodeIdentity.Generate();
        CreateFast(id, null);
        File.SetUnixFileMode(KeyPath, mode);
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Load(KeyPath, null));
        Assert.Equal(KeyFileError.PermissionsTooOpen, e.Error);
        Assert.Contains($"permissions {octal} for key file '{KeyPath}' are too open", e.Message);
        Assert.Contains("chmod 600", e.Message);
    }

    [Fact]
    public void Read_only_for_the_owner_is_accepted()
    {
        using var id = NodeIdentity.Generate();
        CreateFast(id, null);
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead);
        using var loaded = KeyFile.Load(KeyPath, null);
        Assert.Equal(id.PeerId, loaded.PeerId);
    }

    [Fact]
    public void Wrong_missing_or_unexpected_passphrase_is_reported_as_such()
    {
        using var id = NodeIdentity.Generate();
        CreateFast(id, "right");
        var wrong = Assert.Throws<KeyFileException>(() => KeyFile.Load(KeyPath, "wrong"));
        Assert.Equal(KeyFileError.WrongPassphrase, wrong.Error);
        Assert.Contains("wrong passphrase", wrong.Message);
        Assert.Equal(KeyFileError.PassphraseRequired, Fails(() => KeyFile.Load(KeyPath, null)));

        var plain = _dir.File("plain.key");
        KeyFile.Create(plain, id, null, Argon2Settings.Weakest);
        Assert.Equal(KeyFileError.PassphraseNotExpected, Fails(() => KeyFile.Load(plain, "something")));
    }

    [Fact]
    public void Missing_file_is_reported_as_not_found()
    {
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Load(KeyPath, null));
        Assert.Equal(KeyFileError.NotFound, e.Error);
        Assert.Contains("p2pnode init", e.Message);
    }

    [Fact]
    public void Files_that_are_not_key_files_are_corrupt()
    {
        var random = _dir.Write("random.key", "hello world\n");
        Assert.Equal(KeyFileError.Corrupt, Fails(() => KeyFile.Load(random, null)));
        var empty = _dir.Write("empty.key", "");
        Assert.Equal(KeyFileError.Corrupt, Fails(() => KeyFile.Load(empty, null)));
        var binary = _dir.File("binary.key");
        File.WriteAllBytes(binary, [0xff, 0xfe, 0x00, 0x80]);
        File.SetUnixFileMode(binary, OwnerOnly);
        Assert.Equal(KeyFileError.Corrupt, Fails(() => KeyFile.Load(binary, null)));
    }

    [Fact]
    public void A_truncated_file_names_the_missing_field()
    {
        using var id = NodeIdentity.Generate();
        CreateFast(id, null);
        var lines = File.ReadAllLines(KeyPath);
        File.WriteAllLines(KeyPath, lines[..^1]);
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Load(KeyPath, null));
        Assert.Equal(KeyFileError.Corrupt, e.Error);
        Assert.Contains("missing field 'private-key'", e.Message);
    }

    [Fact]
    public void Bad_base64_names_the_line()
    {
        using var id = NodeIdentity.Generate();
        CreateFast(id, null);
        var lines = File.ReadAllLines(KeyPath);
        lines[^1] = "private-key: not*base64!";
        File.WriteAllLines(KeyPath, lines);
        var line = File.ReadAllLines(KeyPath).ToList().FindIndex(l => l.StartsWith("private-key", StringComparison.Ordinal)) + 1;
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Load(KeyPath, null));
        Assert.Contains($"line {line}: private-key must be 32 bytes of base64", e.Message);
    }

    [Fact]
    public void A_peer_id_line_that_does_not_match_the_key_is_corrupt()
    {
        using var id = NodeIdentity.Generate();
        using var other = NodeIdentity.Generate();
        CreateFast(id, null);
        File.WriteAllText(KeyPath, File.ReadAllText(KeyPath).Replace(id.PeerId.ToString(), other.PeerId.ToString()));
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Load(KeyPath, null));
        Assert.Equal(KeyFileError.Corrupt, e.Error);
        Assert.Contains($"belongs to {id.PeerId}", e.Message);
    }

    [Theory]
    [InlineData("kdf-passes: 1", "kdf-passes: 2")]
    [InlineData("kdf-memory-kib: 8", "kdf-memory-kib: 16")]
    [InlineData("encryption: argon2id", "encryption: argon2id")] // control: unchanged header still loads
    public void The_encrypted_header_is_authenticated(string from, string to)
    {
        using var id = NodeIdentity.Generate();
        using var other = NodeIdentity.Generate();
        CreateFast(id, "pw");
        var text = File.ReadAllText(KeyPath);
        Assert.Contains(from, text);
        File.WriteAllText(KeyPath, text.Replace(from, to));
        if (from == to)
        {
            using var loaded = KeyFile.Load(KeyPath, "pw");
            Assert.Equal(id.PeerId, loaded.PeerId);
        }
        else
        {
            Assert.Equal(KeyFileError.WrongPassphrase, Fails(() => KeyFile.Load(KeyPath, "pw")));
        }
        // Swapping the peer-id line is caught by the same authentication.
        File.WriteAllText(KeyPath, text.Replace(id.PeerId.ToString(), other.PeerId.ToString()));
        Assert.Equal(KeyFileError.WrongPassphrase, Fails(() => KeyFile.Load(KeyPath, "pw")));
    }

    [Fact]
    public void Hostile_kdf_costs_are_refused_before_deriving()
    {
        using var id = NodeIdentity.Generate();
        CreateFast(id, "pw");
        File.WriteAllText(KeyPath, File.ReadAllText(KeyPath).Replace("kdf-memory-kib: 8", "kdf-memory-kib: 1099511627776"));
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Load(KeyPath, "pw"));
        Assert.Equal(KeyFileError.Corrupt, e.Error);
        Assert.Contains("kdf-memory-kib must be an integer between 8 and 4194304", e.Message);
    }

    [Fact]
    public void A_newer_format_version_is_reported_as_unsupported()
    {
        using var id = NodeIdentity.Generate();
        CreateFast(id, null);
        File.WriteAllText(KeyPath, File.ReadAllText(KeyPath).Replace("p2pnode-key: 1", "p2pnode-key: 2"));
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Load(KeyPath, null));
        Assert.Equal(KeyFileError.UnsupportedVersion, e.Error);
        Assert.Contains("version '2'", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Windows_line_endings_still_load(bool encrypted)
    {
        using var id = NodeIdentity.Generate();
        CreateFast(id, encrypted ? "pw" : null);
        File.WriteAllText(KeyPath, File.ReadAllText(KeyPath).Replace("\n", "\r\n"));
        using var loaded = KeyFile.Load(KeyPath, encrypted ? "pw" : null);
        Assert.Equal(id.PeerId, loaded.PeerId);
    }
}
