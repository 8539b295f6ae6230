using System.Buffers;
using System.Runtime.InteropServices;

namespace P2PNode.Compression;

/// <summary>
/// Compresses a pseudo-gradient into a version-1 delta payload (docs/deltas.md). With an
/// <see cref="ErrorFeedback"/>, the residual is added before compressing and afterwards holds
/// <c>(delta + old residual) - decoded(payload)</c>, so what is sent plus what is kept equals what was given.
/// Deterministic: the same input and residual give the same bytes on every machine. Reuses scratch buffers
/// between calls, so one instance must not be used by two threads at once.
/// </summary>
public sealed class DeltaEncoder
{
    private readonly TopKSelector _selector = new();
    private float[] _scratch = [];

    public DeltaEncoder(DeltaCodecSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("delta payloads are little-endian; this encoder assumes a little-endian CPU");
        Spec = spec;
    }

    public DeltaCodecSpec Spec { get; }

    /// <summary>Encodes into a new array of the exact payload size.</summary>
    public byte[] Encode(ReadOnlySpan<float> delta, ErrorFeedback? residual = null)
    {
        var writer = new ArrayBufferWriter<byte>();
        Encode(delta, residual, writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes into <paramref name="writer"/> and returns the payload length. Throws
    /// <see cref="ArgumentException"/> for a residual of the wrong length or a non-finite delta + residual;
    /// then neither the residual nor the writer has changed.</summary>
    public int Encode(ReadOnlySpan<float> delta, ErrorFeedback? residual, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (residual is not null && residual.Length != delta.Length)
            throw new ArgumentException($"residual has {residual.Length} values, delta has {delta.Length}", nameof(residual));
        var r = residual is null ? Span<float>.Empty : residual.Values;
        return Spec.IsSparse ? EncodeSparse(delta, r, writer) : EncodeDense(delta, r, writer);
    }

    private int EncodeDense(ReadOnlySpan<float> delta, Span<float> r, IBufferWriter<byte> writer)
    {
        var n = delta.Length;
        var codec = Spec.Values;
        var bs = Spec.IsQuantized ? Spec.BlockSize : 0;
        var h = new DeltaHeader(DeltaFormat.Version, codec, DeltaIndexEncoding.Dense, n, n, bs, 0);
        var total = checked((int)h.TotalLength);
        var dst = writer.GetSpan(total)[..total];
        DeltaFormat.WriteHeader(dst, h);
        var values = dst[(int)h.ValuesOffset..];
        if (Spec.IsQuantized)
        {
            var scales = MemoryMarshal.Cast<byte, float>(dst.Slice((int)h.ScalesOffset, 4 * h.ScaleCount));
            if (!r.IsEmpty) FloatValues.CheckFinite(delta, r); // so a bad block cannot leave r half-updated
            BlockQuantizer.Encode(delta, r, r, bs, codec, scales, values);
        }
        else
        {
            FloatValues.CheckFinite(delta, r);
            FloatValues.Encode(codec, delta, r, values, r);
        }
        writer.Advance(total);
        return total;
    }

    private int EncodeSparse(ReadOnlySpan<float> delta, Span<float> r, IBufferWriter<byte> writer)
    {
        var n = delta.Length;
        var k = Spec.SelectedCount(n);
        var codec = Spec.Values;
        var (indexMemory, valueMemory) = _selector.Select(delta, r, k, storeWork: !r.IsEmpty);
        var indices = indexMemory.Span;
        var work = valueMemory.Span;

        var varintBytes = IndexCodec.VarintBytes(indices);
        var bitmapBytes = (n + 7L) / 8;
        var encoding = varintBytes <= bitmapBytes ? DeltaIndexEncoding.DeltaVarint : DeltaIndexEncoding.Bitmap;
        var indexBytes = (int)Math.Min(varintBytes, bitmapBytes);
        var bs = Spec.IsQuantized ? Spec.BlockSize : 0;
        var h = new DeltaHeader(DeltaFormat.Version, codec, encoding, n, k, bs, indexBytes);
        var total = checked((int)h.TotalLength);
        var dst = writer.GetSpan(total)[..total];
        DeltaFormat.WriteHeader(dst, h);
        var indexSection = dst.Slice(DeltaFormat.HeaderSize, indexBytes);
        if (encoding == DeltaIndexEncoding.DeltaVarint) IndexCodec.WriteVarints(indices, indexSection);
        else IndexCodec.WriteBitmap(indices, indexSection);

        // Residual of the sent coordinates: work - decoded; the others already hold work (stored by Select).
        if (_scratch.Length < k) _scratch = new float[Math.Max(k, _scratch.Length * 2)];
        var sentError = _scratch.AsSpan(0, k);
        var values = dst[(int)h.ValuesOffset..];
        if (Spec.IsQuantized)
        {
            var scales = MemoryMarshal.Cast<byte, float>(dst.Slice((int)h.ScalesOffset, 4 * h.ScaleCount));
            BlockQuantizer.Encode(work, [], sentError, bs, codec, scales, values);
        }
        else
        {
            FloatValues.Encode(codec, work, [], values, sentError);
        }
        if (!r.IsEmpty)
            for (var j = 0; j < indices.Length; j++) r[indices[j]] = sentError[j];
        writer.Advance(total);
        return total;
    }
}
