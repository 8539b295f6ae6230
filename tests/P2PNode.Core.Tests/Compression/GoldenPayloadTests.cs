using P2PNode.Compression;

namespace P2PNode.Core.Tests.Compression;

/// <summary>The worked examples of docs/deltas.md, byte for byte: if these change, the format changed.</summary>
public class GoldenPayloadTests
{
    public static TheoryData<string, float[], string, string> Examples() => new()
    {
        {
            "topk:0.3+int8/64",
            [0.01f, -0.5f, 0f, 0f, 0.25f, 0f, 0f, 0f, -0.125f, 0.02f],
            "5032444C010402000A00000003000000400000000200000012010402813B8140E0",
            "1:-0.5 4:0.2519685 8:-0.12598425"
        },
        {
            "int4/4",
            [0.7f, -0.35f, 0f, 0.1f, -2f],
            "5032444C0105000005000000050000000400000000000000CDCCCC3D2549923EC71009",
            "0:0.7 1:-0.4 3:0.1 4:-2"
        },
        {
            "topk:0.01+bf16",
            Sparse300(),
            "5032444C010301002C010000030000000000000004000000057DA901803F49C0833A",
            "5:1 130:-3.140625 299:0.0009994507"
        },
    };

    private static float[] Sparse300()
    {
        var x = new float[300];
        x[5] = 1f;
        x[130] = -3.14159f;
        x[299] = 0.001f;
        x[7] = 0.0001f;
        return x;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Documented_examples_encode_to_the_documented_bytes(string spec, float[] delta, string hex, string decoded)
    {
        var payload = new DeltaEncoder(DeltaCodecSpec.Parse(spec)).Encode(delta);
        var values = DeltaDecoder.Decode(payload, delta.Length);
        var text = string.Join(" ", values.Select((v, i) => (v, i)).Where(p => p.v != 0)
            .Select(p => $"{p.i}:{p.v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}"));
        Assert.Equal(hex, Convert.ToHexString(payload));
        Assert.Equal(decoded, text);
    }
}
