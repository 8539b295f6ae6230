using System.Net;
using System.Text.RegularExpressions;

namespace P2PNode.Training.Data;

/// <summary>Turns an HTML page into its readable text: scripts, styles, comments and tags removed, entities decoded.</summary>
internal static partial class HtmlText
{
    public static string Strip(string html)
    {
        var s = Invisible().Replace(html, " ");
        s = BlockTag().Replace(s, "\n");
        s = AnyTag().Replace(s, "");
        s = WebUtility.HtmlDecode(s);
        s = Spaces().Replace(s, " ");
        s = SpaceAroundNewline().Replace(s, "\n");
        s = ManyNewlines().Replace(s, "\n\n");
        return s.Trim();
    }

    [GeneratedRegex(@"<!--.*?-->|<(script|style|head)\b[^>]*>.*?</\1\s*>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Invisible();

    [GeneratedRegex(@"</?(p|div|br|li|ul|ol|h[1-6]|tr|table|pre|section|article|title|dt|dd|blockquote)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockTag();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.Singleline)]
    private static partial Regex AnyTag();

    [GeneratedRegex(@"[ \t\r\f\v\u00a0]+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@" ?\n ?")]
    private static partial Regex SpaceAroundNewline();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex ManyNewlines();
}
