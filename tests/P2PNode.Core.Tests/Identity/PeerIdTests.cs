using System.Security.Cryptography;
using P2PNode.Identity;

namespace P2PNode.Core.Tests.Identity;

public class PeerIdTests
{
    // RFC 8032 section 7.1 test 1 public key; the expected id was computed independently with Python
    // (hashlib.sha256 + base64.b32encode), following docs/configuration.md.
    private const string Rfc8032Key1 = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string Rfc8032Key1Id = "p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vui";
    private const string ZeroKeyId = "p2p1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaclvaste";

    [Fact]
    public void Derivation_matches_the_documented_algorithm()
    {
        Assert.Equal(Rfc8032Key1Id, PeerId.FromPublicKey(Convert.FromHexString(Rfc8032Key1)).ToString());
        Assert.Equal(ZeroKeyId, PeerId.FromPublicKey(new byte[32]).ToString());
    }

    [Fact]
    public void Round_trips_through_text_for_random_keys()
    {
        for (var i = 0; i < 200; i++)
        {
            var key = RandomNumberGenerator.GetBytes(32);
            var id = PeerId.FromPublicKey(key);
            var text = id.ToString();
            Assert.Equal(PeerId.TextLength, text.Length);
            Assert.StartsWith("p2p1", text);
            Assert.Equal(text.ToLowerInvariant(), text);
            var parsed = PeerId.Parse(text);
            Assert.Equal(id, parsed);
            Assert.Equal(id.GetHashCode(), parsed.GetHashCode());
            Assert.Equal(key, parsed.PublicKey.ToArray());
        }
    }

    [Fact]
    public void Short_is_the_first_twelve_characters()
    {
        Assert.Equal(Rfc8032Key1Id[..12], PeerId.Parse(Rfc8032Key1Id).Short);
    }

    [Fact]
    public void Uppercase_text_parses_to_the_canonical_lowercase_id()
    {
        var id = PeerId.Parse(Rfc8032Key1Id.ToUpperInvariant());
        Assert.Equal(Rfc8032Key1Id, id.ToString());
    }

    [Theory]
    [InlineData("", "peer id is empty")]
    [InlineData("p2p2" + "5njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vui", "wrong prefix: a peer id starts with \"p2p1\", got \"p2p25njq...\"")]
    [InlineData("12D3KooW", "wrong prefix: a peer id starts with \"p2p1\", got \"12D3KooW\"")]
    [InlineData(" " + Rfc8032Key1Id, "wrong prefix: a peer id starts with \"p2p1\", got \"\\u0020p2p125n...\"")]
    [InlineData("p2p125njqamcweflpvk073j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vui", "bad character '0' at position 20 (base32 has no '0'; did you mean 'o'?)")]
    [InlineData("p2p125njqamcweflpvkl73j4szahh1hoc4xt3ktcgjnpaingr5yhkenemi6vui", "bad character '1' at position 30 (base32 has no '1'; did you mean 'l' or 'i'?)")]
    [InlineData("p2p125njqamcweflpvkl73j4sz-hhihoc4xt3ktcgjnpaingr5yhkenemi6vui", "bad character '-' at position 27 (peer ids use a-z and 2-7)")]
    [InlineData("p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vu", "wrong length: a peer id has 62 characters, got 61")]
    [InlineData("p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vuia", "wrong length: a peer id has 62 characters, got 63")]
    [InlineData("p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vuj", "bad character 'j' at position 62: the last character is one of a e i m q u y 4 (probably a typo)")]
    [InlineData("p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vue", "checksum mismatch (probably a typo)")]
    [InlineData("p2p125njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenemi6vui\n", "bad character '\\u000a' at position 63 (peer ids use a-z and 2-7)")]
    public void Each_kind_of_mistake_gets_a_precise_message(string text, string expected)
    {
        Assert.False(PeerId.TryParse(text, out var id, out var error));
        Assert.Null(id);
        Assert.Equal(expected, error);
        var e = Assert.Throws<FormatException>(() => PeerId.Parse(text));
        Assert.Equal("invalid peer id: " + expected, e.Message);
    }

    [Fact]
    public void Null_is_rejected_without_throwing()
    {
        Assert.False(PeerId.TryParse(null, out _, out var error));
        Assert.Equal("peer id is empty", error);
    }

    [Fact]
    public void Every_single_character_substitution_is_caught()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var caught = 0;
        for (var pos = PeerId.Prefix.Length; pos < Rfc8032Key1Id.Length; pos++)
        {
            foreach (var c in alphabet)
            {
                if (c == Rfc8032Key1Id[pos]) continue;
                var typo = Rfc8032Key1Id[..pos] + c + Rfc8032Key1Id[(pos + 1)..];
                Assert.False(PeerId.TryParse(typo, out _, out var error), typo);
                Assert.Contains("probably a typo", error);
                caught++;
            }
        }
        Assert.Equal(58 * 31, caught);
    }

    [Fact]
    public void Every_adjacent_transposition_is_caught()
    {
        for (var pos = PeerId.Prefix.Length; pos < Rfc8032Key1Id.Length - 1; pos++)
        {
            if (Rfc8032Key1Id[pos] == Rfc8032Key1Id[pos + 1]) continue;
            var swapped = Rfc8032Key1Id[..pos] + Rfc8032Key1Id[pos + 1] + Rfc8032Key1Id[pos] + Rfc8032Key1Id[(pos + 2)..];
            Assert.False(PeerId.TryParse(swapped, out _, out _), swapped);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void A_public_key_must_be_32_bytes(int length)
    {
        var e = Assert.Throws<ArgumentException>(() => PeerId.FromPublicKey(new byte[length]));
        Assert.Contains($"got {length}", e.Message);
    }

    [Fact]
    public void Equality_and_ordering_follow_the_key()
    {
        var a = PeerId.Parse(Rfc8032Key1Id);
        var b = PeerId.FromPublicKey(Convert.FromHexString(Rfc8032Key1));
        var zero = PeerId.Parse(ZeroKeyId);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a != zero);
        Assert.False(a.Equals(null));
        Assert.Equal(0, a.CompareTo(b));
        Assert.Equal(Math.Sign(string.CompareOrdinal(Rfc8032Key1Id, ZeroKeyId)), Math.Sign(a.CompareTo(zero)));
        Assert.Single(new HashSet<PeerId> { a, b });
    }
}
