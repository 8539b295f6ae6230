using System.Xml;
using System.Xml.Linq;

namespace P2PNode.Nat.Upnp;

/// <summary>Parses gateway XML safely: no DTD (no entity expansion bombs), no external resolution, bounded size.</summary>
internal static class XmlText
{
    public const int MaxChars = 256 * 1024;

    public static XDocument Parse(string xml, string what)
    {
        if (xml.Length > MaxChars) throw new NatMalformedReplyException(SsdpSearch.Protocol, $"{what} is {xml.Length} characters, more than {MaxChars}");
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxChars,
        };
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            return XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new NatMalformedReplyException(SsdpSearch.Protocol, $"{what} is not well-formed XML: {e.Message}", e);
        }
    }
}
