using Tomlyn.Syntax;

namespace P2PNode.Config;

/// <summary>What the TOML readers (node.toml, the bootstrap peers file) need from Tomlyn's syntax tree to name
/// a key and its line in an error.</summary>
internal static class TomlSyntax
{
    /// <summary>1-based line where <paramref name="node"/> starts.</summary>
    public static int Line(SyntaxNode node) => node.Span.Start.Line + 1;

    /// <summary>"a.b" for dotted keys; quoted parts are taken by value.</summary>
    public static string KeyName(KeySyntax? key)
    {
        if (key is null) return "";
        var parts = new List<string> { Part(key.Key) };
        foreach (var dotted in key.DotKeys) parts.Add(Part(dotted.Key));
        return string.Join('.', parts);
    }

    private static string Part(BareKeyOrStringValueSyntax? part) => part switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? "",
        StringValueSyntax quoted => quoted.Value ?? "",
        _ => "",
    };
}
