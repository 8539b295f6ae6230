using P2PNode.Training.Data;
using P2PNode.Training.Text;

namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode tokenizer info NAME|file:PATH`: a tokenizer's name, vocabulary size and the SHA-256 a run's genesis pins.
/// `p2pnode tokenizer train --vocab N --out FILE PATH...`: a byte-level BPE rank file (tiktoken format) learned from
/// text, for a run that ships its own small multilingual vocabulary (train it on public text: the merges are visible
/// to every node). docs/training.md, "Text input".
/// </summary>
internal static class TokenizerCommand
{
    public const string Help = "tokenizers: info NAME|file:PATH, train --vocab N --out FILE PATH...";

    public static Task<int> RunAsync(Args a)
    {
        var verb = a.Positional.Count > 0 ? a.Positional[0] : throw new UsageException("usage: p2pnode tokenizer info NAME|file:PATH | train --vocab N --out FILE PATH...");
        try
        {
            switch (verb)
            {
                case "info":
                {
                    if (a.Positional.Count != 2) throw new UsageException("usage: p2pnode tokenizer info NAME|file:PATH");
                    a.EnsureAllUsed(maxPositional: 2);
                    var t = Tokenizers.Resolve(a.Positional[1]);
                    Console.WriteLine($"name {t.Name}\nvocabulary {t.VocabularySize}\nsha256 {t.Sha256Hex}");
                    return Task.FromResult(0);
                }
                case "train":
                {
                    var vocab = a.GetInt("vocab", 257, 1 << 20) ?? throw new UsageException("--vocab N is required (257 or more: the 256 bytes come first)");
                    var output = a.Get("out") ?? throw new UsageException("--out FILE is required");
                    if (a.Positional.Count < 2) throw new UsageException("give the text to learn from: files or folders");
                    var paths = a.Positional.Skip(1).ToList();
                    a.EnsureAllUsed(maxPositional: a.Positional.Count);
                    BpeTrainer.TrainToFile(new CorpusReader(paths).Select(segment => segment.Text), vocab, output);
                    var t = Tokenizers.Resolve(Tokenizers.FilePrefix + output);
                    Console.WriteLine($"wrote {output}: {t.VocabularySize} tokens, sha256 {t.Sha256Hex}");
                    return Task.FromResult(0);
                }
                default:
                    throw new UsageException($"unknown tokenizer verb '{verb}' (info or train)");
            }
        }
        catch (Exception e) when (e is ArgumentException or DatasetFormatException or IOException)
        {
            Console.Error.WriteLine($"p2pnode tokenizer: {e.Message}");
            return Task.FromResult(e is ArgumentException ? 2 : 1);
        }
    }
}
