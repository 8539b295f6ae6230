namespace P2PNode.Training.Text;

/// <summary>Cuts a long string into pieces of at most a given length, at line ends where there are any.</summary>
internal static class TextPieces
{
    public static IEnumerable<string> Split(string text, int maxChars)
    {
        var start = 0;
        while (text.Length - start > maxChars)
        {
            var newline = text.LastIndexOf('\n', start + maxChars - 1, maxChars);
            var cut = newline >= 0 ? newline + 1 : start + maxChars;
            if (newline < 0 && char.IsHighSurrogate(text[cut - 1])) cut--; // never split a surrogate pair
            yield return text[start..cut];
            start = cut;
        }
        if (start < text.Length) yield return start == 0 ? text : text[start..];
    }
}
