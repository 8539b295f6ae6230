using P2PNode.Compression;

namespace P2PNode.Core.Tests.Compression;

public class DeltaCodecSpecTests
{
    [Theory]
    [InlineData("int8", DeltaValueCodec.Int8, 1.0, 64)]
    [InlineData("int4/128", DeltaValueCodec.Int4, 1.0, 128)]
    [InlineData("topk:0.01+int8/64", DeltaValueCodec.Int8, 0.01, 64)]
    [InlineData(" TopK:0.25+BF16 ", DeltaValueCodec.BFloat16, 0.25, 64)]
    [InlineData("fp32", DeltaValueCodec.Float32, 1.0, 64)]
    public void Parse_reads_the_text_form(string text, DeltaValueCodec values, double density, int block)
    {
        var spec = DeltaCodecSpec.Parse(text);
        Assert.Equal(values, spec.Values);
        Assert.Equal(density, spec.Density);
        Assert.Equal(block, spec.BlockSize);
        Assert.Equal(spec, DeltaCodecSpec.Parse(spec.ToString()));
    }

    [Theory]
    [InlineData("int3", "unknown value codec")]
    [InlineData("topk:0+int8", "density")]
    [InlineData("topk:1.5+int8", "density")]
    [InlineData("topk:x+int8", "density is not a number")]
    [InlineData("topk:0.1", "expected topk")]
    [InlineData("int4/63", "even")]
    [InlineData("int8/0", "block size")]
    [InlineData("int8/70000", "block size")]
    [InlineData("int8/-4", "block size")]
    public void Parse_rejects_bad_specs_precisely(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => DeltaCodecSpec.Parse(text));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Selected_count_is_the_ceiling_of_density_times_n_clamped_to_at_least_one()
    {
        var spec = DeltaCodecSpec.TopKInt8(0.01);
        Assert.Equal(1, spec.SelectedCount(1));
        Assert.Equal(1, spec.SelectedCount(100));
        Assert.Equal(2, spec.SelectedCount(101));
        Assert.Equal(0, spec.SelectedCount(0));
        Assert.Equal(77, DeltaCodecSpec.Int8Dense.SelectedCount(77));
    }
}
