using System.Globalization;

namespace P2PNode.Compression;

/// <summary>
/// What a node sends for its pseudo-gradient: which coordinates (all, or the top fraction by magnitude) and
/// how each value is stored. Text form (node.toml, logs): <c>[topk:DENSITY+]VALUES[/BLOCK]</c> with VALUES one
/// of fp32, fp16, bf16, int8, int4, e.g. <c>int8</c>, <c>int4/128</c>, <c>topk:0.01+int8/64</c>.
/// </summary>
public sealed record DeltaCodecSpec
{
    /// <summary>Largest block size the format allows; keeps a scale meaningful and bounds decoder work.</summary>
    public const int MaxBlockSize = 65536;

    /// <summary>Value storage. Int8 is the default: 1.06 bytes per parameter at block 64 with a relative error
    /// around 1% on Gaussian-like deltas, which error feedback carries into the next round.</summary>
    public DeltaValueCodec Values { get; init; } = DeltaValueCodec.Int8;

    /// <summary>Fraction of coordinates sent, in (0, 1]. 1 sends everything (dense). Below 1 the encoder
    /// sends the ceil(Density × n) coordinates of largest magnitude (top-k); without error feedback the rest
    /// is lost, so use top-k with an <see cref="ErrorFeedback"/>. 0.01 is a common choice for DiLoCo-style
    /// rounds (100× fewer values, indices cost about 1.1 bytes each).</summary>
    public double Density { get; init; } = 1.0;

    /// <summary>Values per float32 scale for Int8/Int4 (ignored otherwise). Smaller blocks track outliers
    /// better but cost 4/BlockSize bytes per value: 64 adds 0.0625 B/value. Int4 needs an even size so that
    /// a block never splits a byte.</summary>
    public int BlockSize { get; init; } = 64;

    /// <summary>Bits per stored value.</summary>
    public int Bits => Values switch
    {
        DeltaValueCodec.Float32 => 32,
        DeltaValueCodec.Float16 or DeltaValueCodec.BFloat16 => 16,
        DeltaValueCodec.Int8 => 8,
        DeltaValueCodec.Int4 => 4,
        _ => 0,
    };

    /// <summary>True when only the top fraction of coordinates is sent.</summary>
    public bool IsSparse => Density < 1.0;

    /// <summary>True for the blockwise integer codecs, which carry per-block scales.</summary>
    public bool IsQuantized => Values is DeltaValueCodec.Int8 or DeltaValueCodec.Int4;

    /// <summary>Dense int8, block 64.</summary>
    public static DeltaCodecSpec Int8Dense { get; } = new();

    /// <summary>Top-k of the given density with int8 values.</summary>
    public static DeltaCodecSpec TopKInt8(double density) => new() { Density = density };

    /// <summary>Top-k of the given density with 4-bit values.</summary>
    public static DeltaCodecSpec TopKInt4(double density) => new() { Density = density, Values = DeltaValueCodec.Int4 };

    /// <summary>Throws <see cref="ArgumentException"/> if the spec cannot be encoded.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Values))
            throw new ArgumentException($"unknown value codec {(int)Values}", nameof(Values));
        if (!(Density > 0 && Density <= 1))
            throw new ArgumentException($"density must be in (0, 1], got {Density}", nameof(Density));
        if (!IsQuantized) return;
        if (BlockSize < 1 || BlockSize > MaxBlockSize)
            throw new ArgumentException($"block size must be in [1, {MaxBlockSize}], got {BlockSize}", nameof(BlockSize));
        if (Values == DeltaValueCodec.Int4 && BlockSize % 2 != 0)
            throw new ArgumentException($"int4 block size must be even, got {BlockSize}", nameof(BlockSize));
    }

    /// <summary>Number of values sent for a delta of <paramref name="n"/> parameters: n when dense, else
    /// ceil(Density × n) clamped to [1, n] (0 when n is 0).</summary>
    public int SelectedCount(int n)
    {
        if (!IsSparse || n == 0) return n;
        var k = Math.Ceiling(Density * n);
        return (int)Math.Clamp(k, 1, n);
    }

    /// <summary>Parses the text form described on the type; throws <see cref="FormatException"/>.</summary>
    public static DeltaCodecSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rest = text.Trim().ToLowerInvariant();
        var spec = new DeltaCodecSpec();
        if (rest.StartsWith("topk:", StringComparison.Ordinal))
        {
            var plus = rest.IndexOf('+');
            if (plus < 0) throw new FormatException($"'{text}': expected topk:DENSITY+VALUES");
            if (!double.TryParse(rest.AsSpan(5, plus - 5), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                throw new FormatException($"'{text}': density is not a number");
            spec = spec with { Density = d };
            rest = rest[(plus + 1)..];
        }
        var slash = rest.IndexOf('/');
        var name = slash < 0 ? rest : rest[..slash];
        spec = spec with
        {
            Values = name switch
            {
                "fp32" => DeltaValueCodec.Float32,
                "fp16" => DeltaValueCodec.Float16,
                "bf16" => DeltaValueCodec.BFloat16,
                "int8" => DeltaValueCodec.Int8,
                "int4" => DeltaValueCodec.Int4,
                _ => throw new FormatException($"'{text}': unknown value codec '{name}' (fp32, fp16, bf16, int8, int4)"),
            },
        };
        if (slash >= 0)
        {
            if (!int.TryParse(rest.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var bs))
                throw new FormatException($"'{text}': block size is not a positive integer");
            spec = spec with { BlockSize = bs };
        }
        try
        {
            spec.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"'{text}': {e.Message}", e);
        }
        return spec;
    }

    /// <summary>The text form accepted by <see cref="Parse"/>.</summary>
    public override string ToString()
    {
        var values = Values switch
        {
            DeltaValueCodec.Float32 => "fp32",
            DeltaValueCodec.Float16 => "fp16",
            DeltaValueCodec.BFloat16 => "bf16",
            DeltaValueCodec.Int8 => "int8",
            DeltaValueCodec.Int4 => "int4",
            _ => ((int)Values).ToString(CultureInfo.InvariantCulture),
        };
        var text = IsQuantized ? $"{values}/{BlockSize}" : values;
        return IsSparse ? $"topk:{Density.ToString("R", CultureInfo.InvariantCulture)}+{text}" : text;
    }
}
