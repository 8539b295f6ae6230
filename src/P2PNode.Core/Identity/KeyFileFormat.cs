using System.Text;

namespace P2PNode.Identity;

/// <summary>
/// The text layout of a key file: '#' comment lines, then one <c>name: value</c> line per field in a fixed
/// order (docs/configuration.md, "Key file"). Strict on purpose: anything unexpected means the file is not
/// what we wrote, and guessing with a private key is worse than refusing.
/// </summary>
internal static class KeyFileFormat
{
    public const string Magic = "p2pnode-key";
    public const string Version = "1";
    public const int MaxFileBytes = 16 * 1024;

    internal readonly record struct Field(int Line, string Name, string Value);

    public static string Render(IEnumerable<(string Name, string Value)> fields)
    {
        var sb = new StringBuilder();
        sb.Append("# p2pnode node key. Whoever holds this file IS this node: keep it secret (mode 0600) and never\n");
        sb.Append("# copy it to a second node. Format: docs/configuration.md, \"Key file\".\n");
        foreach (var (name, value) in fields) sb.Append(name).Append(": ").Append(value).Append('\n');
        return sb.ToString();
    }

    /// <summary>AEAD associated data: the given fields as canonical <c>name: value\n</c> lines, UTF-8.</summary>
    public static byte[] AssociatedData(IEnumerable<(string Name, string Value)> fields) =>
        Encoding.UTF8.GetBytes(string.Concat(fields.Select(f => $"{f.Name}: {f.Value}\n")));

    /// <summary>Reads the fields and checks the magic line and the version.</summary>
    public static List<Field> Parse(string text, string path)
    {
        var fields = new List<Field>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0 || line.StartsWith('#')) continue;
            var colon = line.IndexOf(':');
            if (colon <= 0) throw Corrupt(path, $"line {i + 1} is not 'name: value'");
            fields.Add(new(i + 1, line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }
        if (fields.Count == 0 || fields[0].Name != Magic)
            throw Corrupt(path, $"not a p2pnode key file (its first field must be '{Magic}: {Version}')");
        if (fields[0].Value != Version)
            throw new KeyFileException(KeyFileError.UnsupportedVersion,
                $"key file '{path}' has format version '{fields[0].Value}'; this p2pnode reads version {Version} (upgrade p2pnode)");
        return fields;
    }

    /// <summary>Checks that the fields are exactly <paramref name="names"/> in order (or start with them when
    /// <paramref name="prefixOnly"/>).</summary>
    public static void Expect(IReadOnlyList<Field> fields, IReadOnlyList<string> names, string path, bool prefixOnly = false)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (i >= fields.Count) throw Corrupt(path, $"missing field '{names[i]}' (file truncated?)");
            if (fields[i].Name != names[i]) throw Corrupt(path, $"line {fields[i].Line}: expected field '{names[i]}', found '{fields[i].Name}'");
        }
        if (!prefixOnly && fields.Count > names.Count)
            throw Corrupt(path, $"line {fields[names.Count].Line}: unexpected field '{fields[names.Count].Name}'");
    }

    public static KeyFileException Corrupt(string path, string why) =>
        new(KeyFileError.Corrupt, $"key file '{path}' is corrupt: {why}");
}
