using System.Buffers.Binary;
using P2PNode.Identity;

namespace P2PNode.Node;

/// <summary>
/// A federation membership certificate (docs/transfer.md, "Membership certificates"): the federation key's
/// Ed25519 signature over <c>"p2pnode-member:" || member_public_key (32) || expiry (u64 BE, Unix seconds)</c>.
/// Stored as 104 bytes <c>member_public_key || expiry || signature</c> (base64 in a certificate file). In a
/// Hello the member key is the peer's proven identity, so only <c>expiry || signature</c> (72 bytes) travels,
/// split into two capabilities <c>member-cert:0:&lt;base64 of bytes 0..35&gt;</c> and
/// <c>member-cert:1:&lt;base64 of bytes 36..71&gt;</c>, each 62 characters, because v1 caps a capability at 64 bytes.
/// </summary>
public sealed record AllowlistCertificate(PeerId Member, DateTimeOffset Expiry, byte[] Signature)
{
    public const int Length = 32 + 8 + 64;
    public const string CapabilityPrefix = "member-cert:";
    private static ReadOnlySpan<byte> Context => "p2pnode-member:"u8;

    /// <summary>The exact bytes the federation key signs.</summary>
    public static byte[] SignedBytes(PeerId member, DateTimeOffset expiry)
    {
        var bytes = new byte[Context.Length + 32 + 8];
        Context.CopyTo(bytes);
        member.PublicKey.Span.CopyTo(bytes.AsSpan(Context.Length));
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(Context.Length + 32), (ulong)expiry.ToUnixTimeSeconds());
        return bytes;
    }

    public static AllowlistCertificate Issue(NodeIdentity federation, PeerId member, DateTimeOffset expiry)
    {
        var whole = DateTimeOffset.FromUnixTimeSeconds(expiry.ToUnixTimeSeconds());
        return new(member, whole, federation.Sign(SignedBytes(member, whole)));
    }

    /// <summary>Null when valid for <paramref name="federationKey"/> at <paramref name="now"/>, else why not.</summary>
    public string? Check(ReadOnlySpan<byte> federationKey, DateTimeOffset now)
    {
        if (!NodeIdentity.Verify(federationKey, SignedBytes(Member, Expiry), Signature))
            return "membership certificate is not signed by this federation's key";
        return now >= Expiry ? $"membership certificate expired at {Expiry:u}" : null;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        Member.PublicKey.Span.CopyTo(bytes);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(32), (ulong)Expiry.ToUnixTimeSeconds());
        Signature.CopyTo(bytes, 40);
        return bytes;
    }

    public static AllowlistCertificate FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length) throw new FormatException($"a membership certificate is {Length} bytes, got {bytes.Length}");
        return new(PeerId.FromPublicKey(bytes[..32]), ReadExpiry(bytes[32..40]), bytes[40..].ToArray());
    }

    private static DateTimeOffset ReadExpiry(ReadOnlySpan<byte> be8)
    {
        var seconds = BinaryPrimitives.ReadUInt64BigEndian(be8);
        // Beyond year 9999 DateTimeOffset cannot hold it: treat as "never expires" rather than failing.
        return seconds >= 253402300799 ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeSeconds((long)seconds);
    }

    /// <summary>The two Hello capability strings carrying this certificate.</summary>
    public IReadOnlyList<string> ToCapabilities()
    {
        var tail = ToBytes().AsSpan(32);
        return [$"{CapabilityPrefix}0:{Convert.ToBase64String(tail[..36])}", $"{CapabilityPrefix}1:{Convert.ToBase64String(tail[36..])}"];
    }

    /// <summary>The certificate <paramref name="member"/> presents in its Hello capabilities, or null when it
    /// presents none; throws <see cref="FormatException"/> when the parts are missing, repeated or not base64.</summary>
    public static AllowlistCertificate? FromCapabilities(PeerId member, IReadOnlyList<string> capabilities)
    {
        var parts = capabilities.Where(c => c.StartsWith(CapabilityPrefix, StringComparison.Ordinal)).ToList();
        if (parts.Count == 0) return null;
        // A hostile Hello may repeat a part: that must be a FormatException, never an exception the host does not expect.
        string Part(int i)
        {
            var found = parts.Where(p => p.StartsWith($"{CapabilityPrefix}{i}:", StringComparison.Ordinal)).ToList();
            return found.Count == 1 ? found[0] : throw new FormatException($"membership certificate part {i} missing or repeated");
        }
        if (parts.Count != 2) throw new FormatException($"membership certificate has {parts.Count} parts, needs 2");
        var a = Convert.FromBase64String(Part(0)[(CapabilityPrefix.Length + 2)..]);
        var b = Convert.FromBase64String(Part(1)[(CapabilityPrefix.Length + 2)..]);
        if (a.Length != 36 || b.Length != 36) throw new FormatException($"membership certificate parts are {a.Length} and {b.Length} bytes, need 36 each");
        return new(member, ReadExpiry(a.AsSpan(0, 8)), [.. a.AsSpan(8).ToArray(), .. b]);
    }

    /// <summary>Reads a certificate file: one base64 certificate (104 bytes) per line; blank lines and lines
    /// starting with '#' are ignored. Errors name the line.</summary>
    public static IReadOnlyList<AllowlistCertificate> LoadFile(string path)
    {
        var list = new List<AllowlistCertificate>();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            try { list.Add(FromBytes(Convert.FromBase64String(line))); }
            catch (FormatException e) { throw new FormatException($"{path}:{i + 1}: {e.Message}", e); }
        }
        return list;
    }

    public bool Equals(AllowlistCertificate? other) =>
        other is not null && Member == other.Member && Expiry == other.Expiry && Signature.AsSpan().SequenceEqual(other.Signature);

    public override int GetHashCode() => HashCode.Combine(Member, Expiry);
}
