using System.Text;

namespace P2PNode.Training.Tests.Text;

/// <summary>Small generated texts in several scripts, so tokenizer and corpus tests need no data files.</summary>
internal static class TextSamples
{
    public const string Mixed =
        "Le café était très animé ; l'élève répondit : « déjà vu ! »\n" +
        "Ça coûte 12,50 € — Größe, Straße, Œuvre, ñandú.\n" +
        "今日は良い天気ですね。東京へ行きましょう。\n" +
        "我们今天学习中文，明天去北京。\n" +
        "Emoji: 😀🎉👍🏽 and a flag 🇯🇵, tabs\tand  spaces.\n\n" +
        "Последняя строка по-русски. Ελληνικά. العربية.\n";

    private static readonly string[] Syllables =
        ["ka", "to", "mi", "ré", "sa", "lu", "ne", "çu", "do", "pe", "ri", "vo", "東", "京", "語", "の", "は", "ん"];

    /// <summary>Deterministic pseudo-prose: words of 1–4 syllables, lines of 3–12 words, a blank line now and then.</summary>
    public static string Prose(int lines, long seed)
    {
        var rng = DeterministicRng.ForPurpose(seed, "test/prose");
        var text = new StringBuilder();
        for (var line = 0; line < lines; line++)
        {
            var words = 3 + rng.NextInt(10);
            for (var w = 0; w < words; w++)
            {
                if (w > 0) text.Append(' ');
                var syllables = 1 + rng.NextInt(4);
                for (var s = 0; s < syllables; s++) text.Append(Syllables[rng.NextInt(Syllables.Length)]);
            }
            text.Append(rng.NextInt(8) == 0 ? ".\n\n" : ".\n");
        }
        return text.ToString();
    }
}
