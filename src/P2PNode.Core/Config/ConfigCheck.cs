using System.Diagnostics.CodeAnalysis;

namespace P2PNode.Config;

/// <summary>Reports a cross-field violation at the line of a key the user actually set in this source.</summary>
internal sealed class ConfigCheck(ConfigDocument document, string section)
{
    /// <summary>Throws for the first of <paramref name="keys"/> present in this source (else the section
    /// header, else the source itself), so the message points at what the user wrote.</summary>
    [DoesNotReturn]
    public void Fail(string reason, params string[] keys)
    {
        var table = document.Find(section);
        foreach (var key in keys)
        {
            if (table?.Find(key) is { } value) throw value.Error(reason);
        }
        throw new ConfigException(document.Source, table?.Origin.Line, $"{section}.{keys[0]}", reason);
    }
}
