using System.Text.RegularExpressions;
using P2PNode.Core.Tests.Config;
using P2PNode.Identity;
using P2PNode.Transport;
using P2PNode.Wire;

namespace P2PNode.Core.Tests.Wire;

/// <summary>
/// docs/protocol.md read as an outsider reads it: its worked examples and tables must match what the code
/// produces and sends, so a peer built from the page alone agrees with ours.
/// </summary>
public sealed partial class ProtocolDocTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "protocol.md"));

    private static byte[] HexOf(string text) => Convert.FromHexString(HexRun().Replace(text, ""));

    [Fact]
    public void IdentityProofExampleHasTheStatedLengthAndBytes()
    {
        var block = Regex.Match(Doc, @"give the (\d+)-byte payload[^\n]*\n\n```\n(?<body>.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "section 2.2's example is not where the test expects it");
        // Each line: hex groups, then a comment ("array of 2", "bin 32: identity key").
        var hex = string.Concat(block.Groups["body"].Value.Split('\n')
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).TakeWhile(t => HexToken().IsMatch(t))));
        var bytes = HexOf(hex);
        using var id = NodeIdentity.FromPrivateKey(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        var proof = IdentityProof.Create(id, Enumerable.Repeat((byte)0x11, 32).ToArray());
        Assert.Equal(int.Parse(block.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), bytes.Length);
        Assert.Equal(proof, bytes);
    }

    [Fact]
    public void UnknownMessageTypeExampleUsesAnUnassignedTypeAndTheNodesOwnText()
    {
        var m = Regex.Match(Doc, @"Error\(UnknownMessageType, ""unknown message type (\d+)""\) = ([0-9a-f ]+)");
        Assert.True(m.Success, "section 3.4's example is missing");
        var type = uint.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Enum.IsDefined(typeof(MessageType), type), $"type {type} is assigned to {(MessageType)type}");
        // What the node answers to a frame of that type, byte for byte.
        var e = Assert.Throws<UnknownMessageTypeException>(() => WireCodec.Decode(type < 128 ? new byte[] { 0x91, (byte)type } : new byte[] { 0x91, 0xcc, (byte)type }));
        Assert.Equal(HexOf(m.Groups[2].Value), WireCodec.Encode(new ErrorMessage(ErrorCode.UnknownMessageType, e.Message)));
    }

    [Fact]
    public void TheErrorCodesSaidToBeSentAreExactlyTheOnesTheCodeSends()
    {
        var table = Regex.Matches(Doc, @"^\| (\d) \| (\w+) \| [^|]+ \| (yes|no) \|$", RegexOptions.Multiline);
        Assert.Equal(Enum.GetValues<ErrorCode>().Length, table.Count);
        foreach (Match row in table)
            Assert.Equal(row.Groups[2].Value, ((ErrorCode)uint.Parse(row.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToString());
        var documented = table.Where(r => r.Groups[3].Value == "yes").Select(r => r.Groups[2].Value).Order().ToArray();
        var sent = Directory.EnumerateFiles(Path.Combine(RepoRoot.Path, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => SentCode().Matches(File.ReadAllText(f)).Select(x => x.Groups[1].Value))
            .Distinct().Order().ToArray();
        Assert.Equal(documented, sent);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex HexRun();

    [GeneratedRegex(@"^(?:[0-9a-f]{2})+$")]
    private static partial Regex HexToken();

    [GeneratedRegex(@"new ErrorMessage\(ErrorCode\.(\w+)")]
    private static partial Regex SentCode();
}
