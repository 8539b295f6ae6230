using System.Buffers.Binary;
using P2PNode.Compression;

namespace P2PNode.Core.Tests.Compression;

/// <summary>Hand-built payloads for validation tests: a header with arbitrary fields plus a body.</summary>
internal static class PayloadBuilder
{
    public static byte[] Build(byte values, byte indices, uint n, uint k, uint blockSize, uint indexBytes, params byte[] body)
    {
        var p = new byte[24 + body.Length];
        "P2DL"u8.CopyTo(p);
        p[4] = 1;
        p[5] = values;
        p[6] = indices;
        BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(8), n);
        BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(12), k);
        BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(16), blockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(20), indexBytes);
        body.CopyTo(p, 24);
        return p;
    }

    public static byte[] F32(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    public static byte[] Cat(params byte[][] parts) => parts.SelectMany(x => x).ToArray();

    public const byte Fp32 = (byte)DeltaValueCodec.Float32, Fp16 = (byte)DeltaValueCodec.Float16,
        Bf16 = (byte)DeltaValueCodec.BFloat16, Int8 = (byte)DeltaValueCodec.Int8, Int4 = (byte)DeltaValueCodec.Int4;

    public const byte Dense = 0, Varint = 1, Bitmap = 2;
}
