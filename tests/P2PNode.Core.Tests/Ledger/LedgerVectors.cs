using System.Text.Json;

namespace P2PNode.Core.Tests.Ledger;

/// <summary>The RFC 6962 Merkle vectors (tests/vectors/rfc6962-merkle.json, source named there).</summary>
internal static class LedgerVectors
{
    public static JsonElement Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestVectors.Path("rfc6962-merkle.json")));
        return doc.RootElement.Clone();
    }

    public static byte[] Hex(JsonElement e) => Convert.FromHexString(e.GetString()!);

    public static List<byte[]> HexList(JsonElement e) => e.EnumerateArray().Select(Hex).ToList();
}
