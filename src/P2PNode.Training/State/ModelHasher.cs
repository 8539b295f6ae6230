using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace P2PNode.Training.State;

/// <summary>
/// The model hash recorded in the ledger and in checkpoints. Torch-free on purpose (only spans and SHA-256),
/// so the same code can move to P2PNode.Core for auditors.
/// </summary>
/// <remarks>
/// hash = SHA-256 of the canonical bytes:
/// <code>
/// "p2pnode-model/v1\n"
/// spec.Canonical "\n"                       e.g. "cnn/v1 in=1x28x28 c1=32 c2=64 hidden=128 classes=10\n"
/// for each tensor in layout order: name " " dims joined by "," "\n"   e.g. "conv1.weight 32,1,3,3\n"
/// "\n"
/// the flat vector as float32 little-endian (4 bytes per element, no padding)
/// </code>
/// All text is UTF-8, integers in invariant decimal. -0.0 and +0.0 hash differently (bytes are hashed as they are).
/// </remarks>
public static class ModelHasher
{
    public static byte[] Header(string specCanonical, ParameterLayout layout)
    {
        var sb = new StringBuilder("p2pnode-model/v1\n").Append(specCanonical).Append('\n');
        foreach (var e in layout.Entries) sb.Append(e.Describe()).Append('\n');
        sb.Append('\n');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static byte[] Compute(string specCanonical, ParameterLayout layout, ReadOnlySpan<float> flat)
    {
        if (flat.Length != layout.Total) throw new ArgumentException($"flat vector has {flat.Length} elements, layout needs {layout.Total}");
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(Header(specCanonical, layout));
        AppendFloatsLittleEndian(h, flat);
        return h.GetHashAndReset();
    }

    internal static void AppendFloatsLittleEndian(IncrementalHash h, ReadOnlySpan<float> flat)
    {
        if (BitConverter.IsLittleEndian)
        {
            h.AppendData(MemoryMarshal.AsBytes(flat));
            return;
        }
        Span<byte> buf = stackalloc byte[4096];
        for (var i = 0; i < flat.Length; i += 1024)
        {
            var n = Math.Min(1024, flat.Length - i);
            for (var j = 0; j < n; j++) BinaryPrimitives.WriteSingleLittleEndian(buf[(4 * j)..], flat[i + j]);
            h.AppendData(buf[..(4 * n)]);
        }
    }
}
