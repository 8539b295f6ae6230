using System.Text.Json;

namespace P2PNode.Core.Tests.Ledger;

/// <summary>
/// Finds shared/vectors/rfc6962-merkle.json: $P2PNODE_SHARED first (the folder that holds vectors/), else
/// walking up from the test binary until a directory containing shared/vectors/ appears (CI clones the
/// repository next to shared/). Missing vectors fail loudly: a skipped conformance test proves nothing.
/// </summary>
internal static class LedgerVectors
{
    private const string Relative = "vectors/rfc6962-merkle.json";

    public static JsonElement Load()
    {
        var path = Locate() ?? throw new FileNotFoundException(
            $"shared/{Relative} not found above {AppContext.BaseDirectory}; set P2PNODE_SHARED to the shared/ folder");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.Clone();
    }

    private static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("P2PNODE_SHARED");
        if (!string.IsNullOrEmpty(env) && File.Exists(Path.Combine(env, Relative))) return Path.Combine(env, Relative);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", Relative);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static byte[] Hex(JsonElement e) => Convert.FromHexString(e.GetString()!);

    public static List<byte[]> HexList(JsonElement e) => e.EnumerateArray().Select(Hex).ToList();
}
