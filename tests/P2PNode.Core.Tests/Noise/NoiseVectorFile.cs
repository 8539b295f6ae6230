using System.Text.Json;

namespace P2PNode.Core.Tests.Noise;

/// <summary>One Noise test vector in the cacophony/snow JSON format (hex strings).</summary>
public sealed record NoiseVector(
    string Section,
    int Index,
    string ProtocolName,
    byte[] InitPrologue,
    byte[] RespPrologue,
    byte[]? InitStatic,
    byte[]? RespStatic,
    byte[] InitEphemeral,
    byte[] RespEphemeral,
    byte[]? InitRemoteStatic,
    byte[]? HandshakeHash,
    IReadOnlyList<(byte[] Payload, byte[] Ciphertext)> Messages);

/// <summary>Reads tests/vectors/noise-vectors.json: its "vectors" (cacophony) and "supplementary" (snow) lists.</summary>
public static class NoiseVectorFile
{
    public static readonly string[] Sections = ["vectors", "supplementary"];

    public static IReadOnlyList<NoiseVector> Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestVectors.Path("noise-vectors.json")));
        var result = new List<NoiseVector>();
        foreach (var section in Sections)
        {
            var list = section == "vectors"
                ? doc.RootElement.GetProperty("vectors")
                : doc.RootElement.GetProperty("supplementary").GetProperty("vectors");
            int index = 0;
            foreach (var v in list.EnumerateArray())
                result.Add(Parse(section, index++, v));
        }
        return result;
    }

    private static NoiseVector Parse(string section, int index, JsonElement v)
    {
        foreach (var psks in new[] { "init_psks", "resp_psks" })
            if (v.TryGetProperty(psks, out var p) && p.GetArrayLength() != 0)
                throw new InvalidDataException($"{section}[{index}] has PSKs, which this implementation does not support");
        var messages = v.GetProperty("messages").EnumerateArray()
            .Select(m => (Hex(m, "payload")!, Hex(m, "ciphertext")!))
            .ToList();
        return new NoiseVector(section, index, v.GetProperty("protocol_name").GetString()!,
            Hex(v, "init_prologue")!, Hex(v, "resp_prologue")!, Hex(v, "init_static"), Hex(v, "resp_static"),
            Hex(v, "init_ephemeral")!, Hex(v, "resp_ephemeral")!, Hex(v, "init_remote_static"),
            Hex(v, "handshake_hash"), messages);
    }

    private static byte[]? Hex(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) ? Convert.FromHexString(p.GetString()!) : null;
}
