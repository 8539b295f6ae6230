using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace P2PNode.Compression;

/// <summary>
/// Decodes version-1 delta payloads (docs/deltas.md). Every payload is validated completely — header,
/// sizes against the expected parameter count, indices, scales, values, exact length — before the output is
/// touched, so a bad payload throws <see cref="DeltaFormatException"/> and leaves the output as it was. A
/// valid payload never decodes to NaN or infinity. Thread-safe (no shared mutable state).
/// </summary>
public static class DeltaDecoder
{
    /// <summary>Chunk of dense values decoded at a time by <see cref="DecodeAdd"/>; even (int4 pairs).</summary>
    private const int AddChunk = 4096;

    /// <summary>Reads and checks the header alone (including that the payload length matches it exactly);
    /// for inspection, logs and ledgers. Use <see cref="Decode(ReadOnlySpan{byte}, int, Span{float})"/> to
    /// check the rest.</summary>
    public static DeltaHeader ReadHeader(ReadOnlySpan<byte> payload) => DeltaFormat.ReadHeader(payload, -1);

    /// <summary>Decodes into a new array of <paramref name="expectedLength"/> values.</summary>
    public static float[] Decode(ReadOnlySpan<byte> payload, int expectedLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedLength);
        var output = new float[expectedLength];
        Decode(payload, expectedLength, output);
        return output;
    }

    /// <summary>Overwrites <paramref name="output"/> with the decoded delta (zeros where a sparse payload
    /// sends nothing).</summary>
    public static void Decode(ReadOnlySpan<byte> payload, int expectedLength, Span<float> output) =>
        Apply(payload, expectedLength, output, weight: 1f, add: false);

    /// <summary>Adds <paramref name="weight"/> × decoded delta to <paramref name="output"/> (fl(out + fl(w·v))
    /// per coordinate), for streaming weighted sums without a decode buffer. The caller owns overflow of the
    /// running sum; a valid payload itself is finite.</summary>
    public static void DecodeAdd(ReadOnlySpan<byte> payload, int expectedLength, Span<float> output, float weight)
    {
        if (!float.IsFinite(weight)) throw new ArgumentOutOfRangeException(nameof(weight), weight, "weight must be finite");
        Apply(payload, expectedLength, output, weight, add: true);
    }

    private static void Apply(ReadOnlySpan<byte> payload, int expectedLength, Span<float> output, float weight, bool add)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedLength);
        if (output.Length != expectedLength)
            throw new ArgumentException($"output has {output.Length} values, expected {expectedLength}", nameof(output));
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("delta payloads are little-endian; this decoder assumes a little-endian CPU");

        var h = DeltaFormat.ReadHeader(payload, expectedLength);
        var indexSection = payload.Slice(DeltaFormat.HeaderSize, h.IndexBytes);
        var scales = payload.Slice((int)h.ScalesOffset, 4 * h.ScaleCount);
        var values = payload[(int)h.ValuesOffset..];
        int[]? rented = null;
        try
        {
            Span<int> indices = default;
            if (h.Indices != DeltaIndexEncoding.Dense)
            {
                rented = ArrayPool<int>.Shared.Rent(h.ValueCount);
                indices = rented.AsSpan(0, h.ValueCount);
                if (h.Indices == DeltaIndexEncoding.DeltaVarint)
                {
                    IndexCodec.ReadVarints(indexSection, h.ElementCount, indices, DeltaFormat.HeaderSize);
                }
                else
                {
                    IndexCodec.CheckBitmap(indexSection, h.ElementCount, h.ValueCount);
                    IndexCodec.ReadBitmap(indexSection, indices);
                }
            }
            ValueSection.Validate(h, scales, values);

            // Everything is valid from here on: only now is the output written.
            if (h.Indices == DeltaIndexEncoding.Dense) ApplyDense(h, scales, values, output, weight, add);
            else ApplySparse(h, scales, values, indices, output, weight, add);
        }
        finally
        {
            if (rented is not null) ArrayPool<int>.Shared.Return(rented);
        }
    }

    private static void ApplyDense(in DeltaHeader h, ReadOnlySpan<byte> scales, ReadOnlySpan<byte> values, Span<float> output, float weight, bool add)
    {
        if (!add)
        {
            ValueSection.Decode(h, scales, values, 0, output);
            return;
        }
        var buffer = ArrayPool<float>.Shared.Rent(Math.Min(AddChunk, Math.Max(1, h.ValueCount)));
        try
        {
            for (var start = 0; start < h.ValueCount; start += AddChunk)
            {
                var count = Math.Min(AddChunk, h.ValueCount - start);
                var chunk = buffer.AsSpan(0, count);
                ValueSection.Decode(h, scales, values, start, chunk);
                AddScaled(output.Slice(start, count), chunk, weight);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private static void ApplySparse(in DeltaHeader h, ReadOnlySpan<byte> scales, ReadOnlySpan<byte> values, ReadOnlySpan<int> indices,
        Span<float> output, float weight, bool add)
    {
        var buffer = ArrayPool<float>.Shared.Rent(Math.Max(1, h.ValueCount));
        try
        {
            var decoded = buffer.AsSpan(0, h.ValueCount);
            ValueSection.Decode(h, scales, values, 0, decoded);
            if (!add)
            {
                output.Clear();
                for (var j = 0; j < indices.Length; j++) output[indices[j]] = decoded[j];
            }
            else
            {
                for (var j = 0; j < indices.Length; j++) output[indices[j]] += weight * decoded[j];
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private static void AddScaled(Span<float> output, ReadOnlySpan<float> values, float weight)
    {
        ref var ro = ref MemoryMarshal.GetReference(output);
        ref var rv = ref MemoryMarshal.GetReference(values);
        var vw = Vector256.Create(weight);
        var i = 0;
        for (; i + 8 <= values.Length; i += 8)
        {
            // Multiply then add as two roundings (no FMA) so every machine gets the same bits.
            var sum = Vector256.LoadUnsafe(ref ro, (nuint)i) + vw * Vector256.LoadUnsafe(ref rv, (nuint)i);
            sum.StoreUnsafe(ref ro, (nuint)i);
        }
        for (; i < values.Length; i++) output[i] += weight * values[i];
    }
}
