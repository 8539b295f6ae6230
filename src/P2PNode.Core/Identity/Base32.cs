namespace P2PNode.Identity;

/// <summary>
/// RFC 4648 base32 (alphabet a–z, 2–7), lowercase, no padding. Chosen for peer ids because it survives
/// case-folding, URLs, file names and DNS labels, and has no 0/1/8/9 to confuse with o/l/b/g.
/// </summary>
internal static class Base32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static int EncodedLength(int byteCount) => (byteCount * 8 + 4) / 5;

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var chars = new char[EncodedLength(data.Length)];
        int buffer = 0, bits = 0, o = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                chars[o++] = Alphabet[(buffer >> bits) & 31];
            }
        }
        // The last character carries the remaining bits in its high positions, zero-filled below.
        if (bits > 0) chars[o++] = Alphabet[(buffer << (5 - bits)) & 31];
        return new string(chars, 0, o);
    }

    /// <summary>Value 0–31 of a base32 character (either case), or -1 if it is not one.</summary>
    public static int Value(char c) => c switch
    {
        >= 'a' and <= 'z' => c - 'a',
        >= 'A' and <= 'Z' => c - 'A',
        >= '2' and <= '7' => c - '2' + 26,
        _ => -1,
    };

    /// <summary>Decodes characters already checked with <see cref="Value"/>; trailing pad bits are ignored
    /// here (the caller decides whether non-zero pad bits are acceptable).</summary>
    public static void Decode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        int buffer = 0, bits = 0, o = 0;
        foreach (var c in text)
        {
            buffer = (buffer << 5) | Value(c);
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                if (o < destination.Length) destination[o++] = (byte)(buffer >> bits);
            }
        }
    }
}
