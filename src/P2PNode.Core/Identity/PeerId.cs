using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace P2PNode.Identity;

/// <summary>
/// A node's printable, stable name, derived from its 32-byte Ed25519 public key:
/// <c>"p2p1" + base32(publicKey || SHA-256("p2pnode-peer-id" || publicKey)[0..4])</c>, lowercase RFC 4648
/// base32 without padding, 62 characters in all. The 4-byte checksum catches typos when ids are copied by
/// hand into bootstrap lists and allowlists; the public key itself is recoverable from the id, so a peer id
/// is enough to authenticate a peer. Equality is by public key. See docs/configuration.md.
/// </summary>
public sealed class PeerId : IEquatable<PeerId>, IComparable<PeerId>
{
    /// <summary>Text prefix: "p2p" and a format version digit, so a later format can coexist.</summary>
    public const string Prefix = "p2p1";
    public const int PublicKeySize = 32;
    public const int ChecksumSize = 4;
    /// <summary>Length of the text form: 4 prefix characters + 58 base32 characters (36 bytes).</summary>
    public const int TextLength = 62;
    /// <summary>Length of <see cref="Short"/>: the prefix and 8 characters (40 bits of the key).</summary>
    public const int ShortLength = 12;

    private static readonly byte[] ChecksumDomain = "p2pnode-peer-id"u8.ToArray();
    private readonly byte[] _publicKey;
    private readonly string _text;

    private PeerId(byte[] publicKey, string text)
    {
        _publicKey = publicKey;
        _text = text;
    }

    /// <summary>The 32-byte Ed25519 public key this id names.</summary>
    public ReadOnlyMemory<byte> PublicKey => _publicKey;

    /// <summary>First 12 characters, for log lines; not unique enough to identify a peer by.</summary>
    public string Short => _text[..ShortLength];

    public static PeerId FromPublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != PublicKeySize)
            throw new ArgumentException($"an Ed25519 public key is {PublicKeySize} bytes, got {publicKey.Length}", nameof(publicKey));
        Span<byte> payload = stackalloc byte[PublicKeySize + ChecksumSize];
        publicKey.CopyTo(payload);
        ComputeChecksum(publicKey, payload[PublicKeySize..]);
        return new PeerId(publicKey.ToArray(), Prefix + Base32.Encode(payload));
    }

    public static PeerId Parse(string text) =>
        TryParse(text, out var id, out var error) ? id : throw new FormatException($"invalid peer id: {error}");

    /// <summary>Parses the text form (either case). On failure <paramref name="error"/> says which rule broke:
    /// wrong prefix, bad character at a 1-based position, wrong length, or checksum mismatch.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out PeerId? peerId, [NotNullWhen(false)] out string? error)
    {
        peerId = null;
        error = Check(text);
        if (error is not null) return false;

        Span<byte> payload = stackalloc byte[PublicKeySize + ChecksumSize];
        Base32.Decode(text!.AsSpan(Prefix.Length), payload);
        Span<byte> expected = stackalloc byte[ChecksumSize];
        ComputeChecksum(payload[..PublicKeySize], expected);
        if (!expected.SequenceEqual(payload[PublicKeySize..]))
        {
            error = "checksum mismatch (probably a typo)";
            return false;
        }
        peerId = FromPublicKey(payload[..PublicKeySize]);
        return true;
    }

    // Everything that can be said without hashing, in the order a reader would check by eye.
    private static string? Check(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "peer id is empty";
        if (!text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            return $"wrong prefix: a peer id starts with \"{Prefix}\", got \"{Printable(text.Length > 8 ? text[..8] + "..." : text)}\"";
        for (var i = Prefix.Length; i < text.Length; i++)
        {
            if (Base32.Value(text[i]) < 0)
                return $"bad character '{Printable(text[i].ToString())}' at position {i + 1}{Hint(text[i])}";
        }
        if (text.Length != TextLength)
            return $"wrong length: a peer id has {TextLength} characters, got {text.Length}";
        // 58 characters carry 290 bits for 288 bits of payload: the last character's 2 low bits must be zero,
        // otherwise two different strings would name the same key.
        var last = text[^1];
        if ((Base32.Value(last) & 3) != 0)
            return $"bad character '{last}' at position {TextLength}: the last character is one of a e i m q u y 4 (probably a typo)";
        return null;
    }

    private static string Hint(char c) => c switch
    {
        '0' => " (base32 has no '0'; did you mean 'o'?)",
        '1' => " (base32 has no '1'; did you mean 'l' or 'i'?)",
        '8' => " (base32 has no '8'; did you mean 'b'?)",
        '9' => " (base32 has no '9'; did you mean 'g'?)",
        _ => " (peer ids use a-z and 2-7)",
    };

    private static string Printable(string s) =>
        string.Concat(s.Select(c => char.IsControl(c) || char.IsWhiteSpace(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    internal static void ComputeChecksum(ReadOnlySpan<byte> publicKey, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[ChecksumDomain.Length + PublicKeySize];
        ChecksumDomain.CopyTo(input);
        publicKey.CopyTo(input[ChecksumDomain.Length..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        hash[..ChecksumSize].CopyTo(destination);
    }

    public override string ToString() => _text;

    public bool Equals(PeerId? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);
    public override bool Equals(object? obj) => obj is PeerId other && Equals(other);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);
    public int CompareTo(PeerId? other) => other is null ? 1 : string.CompareOrdinal(_text, other._text);
    public static bool operator ==(PeerId? a, PeerId? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(PeerId? a, PeerId? b) => !(a == b);
    public static bool operator <(PeerId? a, PeerId? b) => Comparer<PeerId>.Default.Compare(a, b) < 0;
    public static bool operator <=(PeerId? a, PeerId? b) => Comparer<PeerId>.Default.Compare(a, b) <= 0;
    public static bool operator >(PeerId? a, PeerId? b) => Comparer<PeerId>.Default.Compare(a, b) > 0;
    public static bool operator >=(PeerId? a, PeerId? b) => Comparer<PeerId>.Default.Compare(a, b) >= 0;
}
