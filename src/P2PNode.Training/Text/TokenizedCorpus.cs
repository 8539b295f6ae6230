using System.Text;
using P2PNode.Training.Data;

namespace P2PNode.Training.Text;

/// <summary>
/// A corpus tokenized once into two token files, training text and the held-out tail. The corpus text is every
/// document followed by the separator "\n\n" (plain text for every tokenizer, so byte counts and bits per byte
/// do not depend on the vocabulary). The files live in a work directory and are deleted at Dispose.
/// </summary>
public sealed class TokenizedCorpus : IDisposable
{
    public const string DocumentSeparator = "\n\n";

    private readonly string[] _files;

    private TokenizedCorpus(TextTokenizer tokenizer, TokenSequence train, TokenSequence heldOut, long trainBytes, long heldOutBytes,
        long totalBytes, long documents, int fileCount, string[] files)
    {
        (Tokenizer, Train, HeldOut, TrainBytes, HeldOutBytes, TotalBytes, DocumentCount, FileCount, _files) =
            (tokenizer, train, heldOut, trainBytes, heldOutBytes, totalBytes, documents, fileCount, files);
    }

    public TextTokenizer Tokenizer { get; }
    public TokenSequence Train { get; }
    public TokenSequence HeldOut { get; }

    /// <summary>UTF-8 bytes of the training text (after any trainBytes limit) and of the held-out tail.</summary>
    public long TrainBytes { get; }
    public long HeldOutBytes { get; }

    /// <summary>UTF-8 bytes of the whole corpus text, including any training text left out by trainBytes.</summary>
    public long TotalBytes { get; }
    public long DocumentCount { get; }
    public int FileCount { get; }

    /// <summary>
    /// Pass 1 counts the corpus text's bytes (total). The held-out tail starts at the first line start at or after
    /// byte round((1 − heldOutFraction)·total), rounding halves away from zero; with <paramref name="trainBytes"/>,
    /// training text ends at the first line start at or after that byte (never after the held-out start). Pass 2
    /// tokenizes each segment's pieces on either side of the cuts into the token files.
    /// <paramref name="trainFraction"/> keeps the first fraction of the training part (a low-resource node), like
    /// trainBytes = round(fraction · held-out target). <paramref name="corpusBytes"/> uses only the corpus text up to the
    /// first line start at or after that byte (an experiment's cap): the split is then computed on that prefix.
    /// </summary>
    public static TokenizedCorpus Build(CorpusReader reader, TextTokenizer tokenizer, double heldOutFraction, long? trainBytes,
        string workDirectory, long minimumTokens = 2, double? trainFraction = null, long? corpusBytes = null)
    {
        if (trainFraction is { } tf && !(tf > 0 && tf <= 1)) throw new ArgumentOutOfRangeException(nameof(trainFraction), $"train fraction {tf} must be in (0, 1]");
        if (corpusBytes is <= 0) throw new ArgumentOutOfRangeException(nameof(corpusBytes), $"corpusBytes {corpusBytes} must be positive");
        if (!(heldOutFraction > 0 && heldOutFraction < 1)) throw new ArgumentOutOfRangeException(nameof(heldOutFraction), $"held-out fraction {heldOutFraction} must be in (0, 1)");
        if (trainBytes is <= 0) throw new ArgumentOutOfRangeException(nameof(trainBytes), $"trainBytes {trainBytes} must be positive");
        long total = 0, documents = 0;
        foreach (var segment in reader)
        {
            total += Encoding.UTF8.GetByteCount(segment.Text) + (segment.EndsDocument ? DocumentSeparator.Length : 0);
            if (segment.EndsDocument) documents++;
        }
        var used = Math.Min(total, corpusBytes ?? total);
        var heldOutTarget = (long)Math.Round((1 - heldOutFraction) * used, MidpointRounding.AwayFromZero);
        if (trainFraction is { } fraction) trainBytes = Math.Min(trainBytes ?? long.MaxValue, Math.Max(1, (long)Math.Round(fraction * heldOutTarget)));
        Directory.CreateDirectory(workDirectory);
        var width = tokenizer.VocabularySize <= 1 << 16 ? 2 : 4;
        var name = Path.Combine(workDirectory, $"tokens-{Guid.NewGuid():N}");
        string[] files = [$"{name}.train.u{width * 8}", $"{name}.heldout.u{width * 8}"];
        try
        {
            CorpusSplitWriter split;
            using (var train = new TokenFileWriter(files[0], width))
            using (var heldOut = new TokenFileWriter(files[1], width))
            {
                split = new CorpusSplitWriter(tokenizer, Math.Min(trainBytes ?? heldOutTarget, heldOutTarget), heldOutTarget, corpusBytes < total ? corpusBytes : null, train, heldOut);
                foreach (var segment in reader) split.Add(segment.EndsDocument ? segment.Text + DocumentSeparator : segment.Text);
                if (split.Position != total)
                    throw new DatasetFormatException(string.Join(", ", reader.Paths), $"the corpus changed while it was read ({total} bytes, then {split.Position})");
                CheckSize("training", train.Count, split.TrainBytes, minimumTokens, reader, heldOutFraction, trainBytes);
                CheckSize("held-out", heldOut.Count, split.HeldOutBytes, minimumTokens, reader, heldOutFraction, trainBytes);
            }
            return new TokenizedCorpus(tokenizer, TokenSequence.Map(files[0], width), TokenSequence.Map(files[1], width),
                split.TrainBytes, split.HeldOutBytes, total, documents, reader.Files.Count, files);
        }
        catch
        {
            foreach (var file in files) File.Delete(file);
            throw;
        }
    }

    /// <summary>A corpus from in-memory text (tests, tools): no separator is added, nothing is written to disk.</summary>
    public static TokenizedCorpus FromText(string train, string heldOut, TextTokenizer tokenizer) =>
        new(tokenizer, new TokenSequence(tokenizer.Encode(train)), new TokenSequence(tokenizer.Encode(heldOut)),
            Encoding.UTF8.GetByteCount(train), Encoding.UTF8.GetByteCount(heldOut),
            Encoding.UTF8.GetByteCount(train) + Encoding.UTF8.GetByteCount(heldOut), 0, 0, []);

    public void Dispose()
    {
        Train.Dispose();
        HeldOut.Dispose();
        foreach (var file in _files) File.Delete(file);
    }

    private static void CheckSize(string part, long tokens, long bytes, long minimum, CorpusReader reader, double fraction, long? trainBytes)
    {
        if (tokens >= minimum) return;
        throw new DatasetFormatException(string.Join(", ", reader.Paths),
            $"the {part} part has {tokens} tokens ({bytes} bytes), fewer than the {minimum} needed " +
            $"(held-out fraction {fraction}{(trainBytes is { } n ? $", trainBytes {n}" : "")}); add text or change the split");
    }
}
