using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace P2PNode.Identity;

/// <summary>
/// Stores a <see cref="NodeIdentity"/> on disk: plaintext, or encrypted with a passphrase (Argon2id +
/// XChaCha20-Poly1305). Files are created with mode 0600 before any secret is written, atomically (temp file
/// + rename) and never over an existing file; loading refuses files readable by group or others, like ssh.
/// The layout is specified in docs/configuration.md ("Key file").
/// </summary>
public static class KeyFile
{
    public const string Algorithm = "ed25519";
    public const string EncryptionNone = "none";
    public const string EncryptionArgon2XChaCha = "argon2id-xchacha20poly1305";
    private const int SaltSize = 16;

    private static readonly string[] Head = [KeyFileFormat.Magic, "algorithm", "peer-id", "encryption"];
    private static readonly string[] PlainFields = [.. Head, "private-key"];
    private static readonly string[] KdfFields = ["kdf-memory-kib", "kdf-passes", "kdf-parallelism", "salt", "nonce"];
    private static readonly string[] EncryptedFields = [.. Head, .. KdfFields, "ciphertext"];

    /// <summary>Writes <paramref name="identity"/> to a new file at <paramref name="path"/>; encrypted when
    /// <paramref name="passphrase"/> is not null. Throws <see cref="KeyFileException"/> (an IOException) with
    /// <see cref="KeyFileError.AlreadyExists"/> rather than replace anything.</summary>
    public static void Create(string path, NodeIdentity identity, string? passphrase) =>
        Create(path, identity, passphrase, Argon2Settings.Default);

    internal static void Create(string path, NodeIdentity identity, string? passphrase, Argon2Settings kdf)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (passphrase is { Length: 0 }) throw new ArgumentException("the passphrase is empty; pass null for an unencrypted key", nameof(passphrase));
        path = Path.GetFullPath(path);
        if (File.Exists(path) || Directory.Exists(path)) throw AlreadyExists(path);

        var seed = identity.ExportPrivateKey();
        try
        {
            var text = passphrase is null ? RenderPlain(identity, seed) : RenderEncrypted(identity, seed, passphrase, kdf);
            WriteNewFileAtomically(path, Encoding.UTF8.GetBytes(text));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Loads the identity stored at <paramref name="path"/>. <paramref name="passphrase"/> must be
    /// given exactly when the file is encrypted.</summary>
    public static NodeIdentity Load(string path, string? passphrase)
    {
        if (!File.Exists(path))
            throw new KeyFileException(KeyFileError.NotFound, $"key file '{path}' does not exist (create one with 'p2pnode init')");
        CheckPermissions(path);
        var info = new FileInfo(path);
        if (info.Length > KeyFileFormat.MaxFileBytes)
            throw KeyFileFormat.Corrupt(path, $"{info.Length} bytes is far larger than any key file");

        string text;
        try { text = new UTF8Encoding(false, true).GetString(File.ReadAllBytes(path)); }
        catch (DecoderFallbackException) { throw KeyFileFormat.Corrupt(path, "not UTF-8 text"); }

        var fields = KeyFileFormat.Parse(text, path);
        KeyFileFormat.Expect(fields, Head, path, prefixOnly: true);
        if (fields[1].Value != Algorithm) throw KeyFileFormat.Corrupt(path, $"line {fields[1].Line}: unknown algorithm '{fields[1].Value}' (expected '{Algorithm}')");
        if (!PeerId.TryParse(fields[2].Value, out var expectedId, out var idError))
            throw KeyFileFormat.Corrupt(path, $"line {fields[2].Line}: {idError}");

        var identity = fields[3].Value switch
        {
            EncryptionNone => LoadPlain(path, fields, passphrase),
            EncryptionArgon2XChaCha => LoadEncrypted(path, fields, passphrase),
            var other => throw KeyFileFormat.Corrupt(path, $"line {fields[3].Line}: unknown encryption '{other}'"),
        };
        if (identity.PeerId != expectedId)
        {
            identity.Dispose();
            throw KeyFileFormat.Corrupt(path, $"the private key belongs to {identity.PeerId}, not to the peer-id line's {expectedId}");
        }
        return identity;
    }

    private static string RenderPlain(NodeIdentity identity, byte[] seed) => KeyFileFormat.Render(
    [
        (KeyFileFormat.Magic, KeyFileFormat.Version), ("algorithm", Algorithm), ("peer-id", identity.PeerId.ToString()),
        ("encryption", EncryptionNone), ("private-key", Convert.ToBase64String(seed)),
    ]);

    private static string RenderEncrypted(NodeIdentity identity, byte[] seed, string passphrase, Argon2Settings kdf)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var nonce = RandomNumberGenerator.GetBytes(AeadAlgorithm.XChaCha20Poly1305.NonceSize);
        (string, string)[] header =
        [
            (KeyFileFormat.Magic, KeyFileFormat.Version), ("algorithm", Algorithm), ("peer-id", identity.PeerId.ToString()),
            ("encryption", EncryptionArgon2XChaCha), ("kdf-memory-kib", Num(kdf.MemoryKiB)), ("kdf-passes", Num(kdf.Passes)),
            ("kdf-parallelism", Num(Argon2Settings.Parallelism)), ("salt", Convert.ToBase64String(salt)), ("nonce", Convert.ToBase64String(nonce)),
        ];
        using var key = DeriveKey(passphrase, salt, kdf);
        var ciphertext = AeadAlgorithm.XChaCha20Poly1305.Encrypt(key, nonce, KeyFileFormat.AssociatedData(header), seed);
        return KeyFileFormat.Render([.. header, ("ciphertext", Convert.ToBase64String(ciphertext))]);
    }

    private static NodeIdentity LoadPlain(string path, List<KeyFileFormat.Field> fields, string? passphrase)
    {
        KeyFileFormat.Expect(fields, PlainFields, path);
        if (passphrase is not null)
            throw new KeyFileException(KeyFileError.PassphraseNotExpected,
                $"key file '{path}' is not encrypted, but a passphrase was given (remove the passphrase file from the configuration, or re-create the key with one)");
        var seed = Bytes(path, fields[4], NodeIdentity.PrivateKeySize);
        try { return NodeIdentity.FromPrivateKey(seed); }
        finally { CryptographicOperations.ZeroMemory(seed); }
    }

    private static NodeIdentity LoadEncrypted(string path, List<KeyFileFormat.Field> fields, string? passphrase)
    {
        KeyFileFormat.Expect(fields, EncryptedFields, path);
        var kdf = new Argon2Settings(
            Number(path, fields[4], Argon2Settings.MinMemoryKiB, Argon2Settings.MaxMemoryKiB),
            Number(path, fields[5], Argon2Settings.MinPasses, Argon2Settings.MaxPasses));
        Number(path, fields[6], Argon2Settings.Parallelism, Argon2Settings.Parallelism);
        var salt = Bytes(path, fields[7], SaltSize);
        var nonce = Bytes(path, fields[8], AeadAlgorithm.XChaCha20Poly1305.NonceSize);
        var ciphertext = Bytes(path, fields[9], NodeIdentity.PrivateKeySize + AeadAlgorithm.XChaCha20Poly1305.TagSize);
        if (passphrase is null)
            throw new KeyFileException(KeyFileError.PassphraseRequired, $"key file '{path}' is encrypted: a passphrase is required (set node.passphrase_file)");

        var seed = new byte[NodeIdentity.PrivateKeySize];
        try
        {
            using var key = DeriveKey(passphrase, salt, kdf);
            var ad = KeyFileFormat.AssociatedData(fields.Take(EncryptedFields.Length - 1).Select(f => (f.Name, f.Value)));
            if (!AeadAlgorithm.XChaCha20Poly1305.Decrypt(key, nonce, ad, ciphertext, seed))
                throw new KeyFileException(KeyFileError.WrongPassphrase, $"wrong passphrase for key file '{path}' (or the file was altered)");
            return NodeIdentity.FromPrivateKey(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    // Argon2id(P = UTF-8 passphrase, S = salt, m, t, p = 1, v = 0x13, T = 32) is the XChaCha20-Poly1305 key.
    private static Key DeriveKey(string passphrase, byte[] salt, Argon2Settings kdf)
    {
        var argon = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = Argon2Settings.Parallelism, MemorySize = kdf.MemoryKiB, NumberOfPasses = kdf.Passes,
        });
        var password = Encoding.UTF8.GetBytes(passphrase);
        var keyBytes = new byte[AeadAlgorithm.XChaCha20Poly1305.KeySize];
        try
        {
            argon.DeriveBytes(password, salt, keyBytes);
            return Key.Import(AeadAlgorithm.XChaCha20Poly1305, keyBytes, KeyBlobFormat.RawSymmetricKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
            CryptographicOperations.ZeroMemory(keyBytes);
        }
    }

    private static void WriteNewFileAtomically(string path, byte[] content)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"cannot create key file '{path}': directory '{directory}' does not exist");
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant()}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var stream = new FileStream(temp, options))
            {
                // The umask can only remove bits from the create mode; set it explicitly anyway before the secret goes in.
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            try
            {
                // overwrite: false never replaces an existing file, even one created since the check above.
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                throw AlreadyExists(path);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static void CheckPermissions(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        const UnixFileMode groupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & groupOrOther) != 0)
            throw new KeyFileException(KeyFileError.PermissionsTooOpen,
                $"permissions {Convert.ToString((int)mode, 8).PadLeft(4, '0')} for key file '{path}' are too open: it must not be accessible by group or others (run: chmod 600 '{path}')");
    }

    private static KeyFileException AlreadyExists(string path) =>
        new(KeyFileError.AlreadyExists, $"key file '{path}' already exists; refusing to overwrite a node identity (move it away first if you really mean to replace it)");

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static long Number(string path, KeyFileFormat.Field field, long min, long max)
    {
        if (!long.TryParse(field.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw KeyFileFormat.Corrupt(path, $"line {field.Line}: {field.Name} must be an integer between {min} and {max}, got '{field.Value}'");
        return value;
    }

    private static byte[] Bytes(string path, KeyFileFormat.Field field, int length)
    {
        var buffer = new byte[length];
        if (!Convert.TryFromBase64String(field.Value, buffer, out var written) || written != length)
            throw KeyFileFormat.Corrupt(path, $"line {field.Line}: {field.Name} must be {length} bytes of base64");
        return buffer;
    }
}
