namespace P2PNode.Identity;

/// <summary>
/// Argon2id cost of an encrypted key file. Stored in the file, so the default can rise later without
/// breaking old files. Loading enforces <see cref="MaxMemoryKiB"/>/<see cref="MaxPasses"/> so a hostile file
/// cannot make the node allocate unbounded memory before the passphrase is even checked.
/// </summary>
internal sealed record Argon2Settings(long MemoryKiB, long Passes)
{
    /// <summary>64 MiB, 3 passes: about 0.2 s on one core of the reference machine; RFC 9106's second
    /// recommended option is 64 MiB with 3 passes.</summary>
    public static Argon2Settings Default { get; } = new(64 * 1024, 3);

    /// <summary>Weakest parameters libsodium accepts; tests only (they make a derivation take microseconds).</summary>
    public static Argon2Settings Weakest { get; } = new(8, 1);

    public const long MinMemoryKiB = 8;
    public const long MaxMemoryKiB = 4L * 1024 * 1024;
    public const long MinPasses = 1;
    public const long MaxPasses = 64;
    /// <summary>libsodium's Argon2id supports one lane only.</summary>
    public const int Parallelism = 1;
}
