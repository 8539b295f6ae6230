using P2PNode.Compression;
using System.Buffers.Binary;
using static P2PNode.Core.Tests.Compression.PayloadBuilder;

namespace P2PNode.Core.Tests.Compression;

public class DeltaValidationTests
{
    private static readonly byte[] ValidInt8 = Build(Int8, Dense, 4, 4, 64, 0, Cat(F32(0.5f), [1, 2, 0xFF, 0x7F]));

    public static TheoryData<byte[], int, string> Bad() => new()
    {
        { ValidInt8[..10], 4, "payload truncated: 10 bytes, the header alone needs 24" },
        { Patch(ValidInt8, 0, 0x51), 4, "bad magic 5132444C, expected 5032444C" },
        { Patch(ValidInt8, 4, 2), 4, "unsupported payload version 2 (this decoder reads version 1)" },
        { Patch(ValidInt8, 5, 9), 4, "unknown value codec id 9 at offset 5" },
        { Patch(ValidInt8, 5, 0), 4, "unknown value codec id 0 at offset 5" },
        { Patch(ValidInt8, 6, 3), 4, "unknown index encoding 3 at offset 6" },
        { Patch(ValidInt8, 7, 1), 4, "reserved byte at offset 7 is 1, must be 0" },
        { ValidInt8, 5, "payload declares 4 elements, expected 5" },
        { Build(Int8, Dense, 0x80000000, 1, 64, 0), 4, "element count 2147483648 exceeds the maximum" },
        { Build(Int8, Varint, 4, 5, 64, 5), 4, "value count 5 exceeds element count 4" },
        { Build(Int8, Dense, 4, 3, 64, 0), 4, "dense payload has value count 3 but element count 4" },
        { Build(Int8, Dense, 4, 4, 64, 1), 4, "dense payload declares an index section of 1 bytes, must be 0" },
        { Build(Int8, Dense, 4, 4, 0, 0), 4, "block size 0 out of range [1, 65536]" },
        { Build(Int8, Dense, 4, 4, 65537, 0), 4, "block size 65537 out of range" },
        { Build(Int4, Dense, 4, 4, 3, 0), 4, "int4 block size 3 must be even" },
        { Build(Fp32, Dense, 4, 4, 64, 0), 4, "block size 64 given for a non-quantized codec, must be 0" },
        { Build(Fp32, Varint, 10, 2, 0, 1), 10, "varint index section of 1 bytes cannot hold 2 indices (needs 2..10 bytes)" },
        { Build(Fp32, Varint, 10, 1, 0, 6), 10, "varint index section of 6 bytes cannot hold 1 indices" },
        { Build(Fp32, Bitmap, 10, 1, 0, 1), 10, "bitmap index section is 1 bytes, must be ceil(10/8) = 2" },
        { Build(Fp32, Varint, 10, 1, 0, 0xFFFFFFFF), 10, "varint index section of 4294967295 bytes cannot hold 1" },
        { ValidInt8[..^1], 4, "payload truncated: 31 bytes, header declares 32" },
        { Cat(ValidInt8, [0]), 4, "1 trailing bytes after the 32-byte payload" },
        { Build(Fp32, Varint, 10, 1, 0, 2, Cat([0x80, 0x00], F32(1))), 10, "index #0: varint at offset 24 is not minimally encoded" },
        { Build(Fp32, Varint, 10, 1, 0, 5, Cat([0xFF, 0xFF, 0xFF, 0xFF, 0x1F], F32(1))), 10, "index #0: varint at offset 24 exceeds 32 bits" },
        { Build(Fp32, Varint, 10, 2, 0, 2, Cat([0x01, 0x81], F32(1, 1))), 10, "index #1: varint at offset 25 runs past the end of the 2-byte index section" },
        { Build(Fp32, Varint, 10, 2, 0, 2, Cat([0x03, 0x00], F32(1, 1))), 10, "index #1 duplicates index #0 (3): gap 0 at offset 25" },
        { Build(Fp32, Varint, 10, 1, 0, 1, Cat([0x0A], F32(1))), 10, "index #0 is 10, out of range for 10 elements" },
        { Build(Fp32, Varint, 10, 2, 0, 2, Cat([0x05, 0x05], F32(1, 1))), 10, "index #1 is 10, out of range for 10 elements" },
        { Build(Fp32, Varint, 10, 1, 0, 2, Cat([0x01, 0x01], F32(1))), 10, "index section has 1 bytes left after 1 indices" },
        { Build(Fp32, Bitmap, 10, 2, 0, 2, Cat([0x01, 0x00], F32(1, 1))), 10, "bitmap marks 1 indices, header declares 2" },
        { Build(Fp32, Bitmap, 10, 1, 0, 2, Cat([0x00, 0x04], F32(1))), 10, "bitmap has bits set past element 10 in its last byte 0x04" },
        { Build(Int8, Dense, 2, 2, 64, 0, Cat(F32(float.NaN), [1, 1])), 2, "scale #0 at offset 24 is NaN: scales must be finite and non-negative" },
        { Build(Int8, Dense, 2, 2, 64, 0, Cat(F32(float.PositiveInfinity), [1, 1])), 2, "scale #0 at offset 24 is Infinity: scales must be finite" },
        { Build(Int8, Dense, 2, 2, 64, 0, Cat(F32(-1f), [1, 1])), 2, "scale #0 at offset 24 is -1: scales must be finite and non-negative" },
        { Build(Int8, Dense, 2, 2, 64, 0, Cat(F32(-0f), [0, 0])), 2, "scale #0 at offset 24 is -0" },
        { Build(Int8, Dense, 3, 3, 2, 0, Cat(F32(1f, 3e37f), [1, 1, 1])), 3, "scale #1 at offset 28 is 3E+37: 127 × scale overflows float32" },
        { Build(Int4, Dense, 2, 2, 2, 0, Cat(F32(1e38f), [0x11])), 2, "scale #0 at offset 24 is 1E+38: 7 × scale overflows float32" },
        { Build(Int8, Dense, 3, 3, 64, 0, Cat(F32(1f), [1, 0x80, 1])), 3, "value #1 at offset 29: int8 code -128 is outside the symmetric range [-127, 127]" },
        { Build(Int4, Dense, 4, 4, 64, 0, Cat(F32(1f), [0x11, 0x18])), 4, "value #2 at offset 29: int4 code -8" },
        { Build(Int4, Dense, 4, 4, 64, 0, Cat(F32(1f), [0x81, 0x11])), 4, "value #1 at offset 28: int4 code -8" },
        { Build(Int4, Dense, 3, 3, 64, 0, Cat(F32(1f), [0x11, 0x71])), 3, "int4 padding nibble (high half of the last byte, offset 29) must be 0" },
        { Build(Fp32, Dense, 2, 2, 0, 0, F32(1, float.NaN)), 2, "value #1 at offset 28: float32 value is NaN or infinite" },
        { Build(Fp16, Dense, 2, 2, 0, 0, [0x00, 0x3C, 0x00, 0x7C]), 2, "value #1 at offset 26: float16 value is NaN or infinite" },
        { Build(Bf16, Dense, 2, 2, 0, 0, [0xC0, 0x7F, 0x80, 0x3F]), 2, "value #0 at offset 24: bfloat16 value is NaN or infinite" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Every_defect_is_reported_precisely_and_leaves_the_output_untouched(byte[] payload, int expectedLength, string message)
    {
        var output = Enumerable.Repeat(42f, expectedLength).ToArray();
        var e = Assert.Throws<DeltaFormatException>(() => DeltaDecoder.Decode(payload, expectedLength, output));
        Assert.Contains(message, e.Message);
        Assert.Throws<DeltaFormatException>(() => DeltaDecoder.DecodeAdd(payload, expectedLength, output, 1f));
        Assert.All(output, v => Assert.Equal(42f, v));
    }

    [Fact]
    public void The_hand_built_payloads_are_valid_before_mutation()
    {
        Assert.Equal([0.5f * 1 / 1, 0.5f * 2, -0.5f, 0.5f * 127], DeltaDecoder.Decode(ValidInt8, 4));
        Assert.Equal([0, 0, 0, 1.5f, 0, 0, 0, 0, 0, 2.5f],
            DeltaDecoder.Decode(Build(Fp32, Varint, 10, 2, 0, 2, Cat([0x03, 0x06], F32(1.5f, 2.5f))), 10));
        Assert.Equal([1.5f, 0, 0, 0, 0, 0, 0, 0, 0, 2.5f],
            DeltaDecoder.Decode(Build(Fp32, Bitmap, 10, 2, 0, 2, Cat([0x01, 0x02], F32(1.5f, 2.5f))), 10));
        Assert.Equal([1f, -7f, 7f], DeltaDecoder.Decode(Build(Int4, Dense, 3, 3, 64, 0, Cat(F32(1f), [0x91, 0x07])), 3));
        Assert.Equal([1f, 1.5f], DeltaDecoder.Decode(Build(Fp16, Dense, 2, 2, 0, 0, [0x00, 0x3C, 0x00, 0x3E]), 2));
        Assert.Equal([1f, 1.5f], DeltaDecoder.Decode(Build(Bf16, Dense, 2, 2, 0, 0, [0x80, 0x3F, 0xC0, 0x3F]), 2));
        Assert.Empty(DeltaDecoder.Decode(Build(Int8, Dense, 0, 0, 64, 0), 0));
    }

    [Fact]
    public void Arguments_are_checked_separately_from_payload_bytes()
    {
        Assert.Throws<ArgumentException>(() => DeltaDecoder.Decode(ValidInt8, 4, new float[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeltaDecoder.DecodeAdd(ValidInt8, 4, new float[4], float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeltaDecoder.Decode(ValidInt8, -1));
    }

    private static byte[] Patch(byte[] p, int offset, byte value)
    {
        var copy = (byte[])p.Clone();
        copy[offset] = value;
        return copy;
    }

    internal static byte[] WithU32(byte[] p, int offset, uint value)
    {
        var copy = (byte[])p.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(offset), value);
        return copy;
    }
}
