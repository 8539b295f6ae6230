using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace P2PNode.Nat;

/// <summary>
/// The IPv4 default gateway, read from Linux's /proc/net/route: the NAT-PMP and PCP server is the default
/// router (RFC 6886 section 3), so this is where their requests go when no gateway is configured.
/// </summary>
public static class DefaultGateway
{
    private const int RtfUp = 0x1;
    private const int RtfGateway = 0x2;

    /// <summary>The default gateway of this host, or null when there is none (or no /proc/net/route, e.g. not Linux).</summary>
    public static IPAddress? Find(string path = "/proc/net/route")
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return Parse(text);
    }

    /// <summary>
    /// Parses the text of /proc/net/route and returns the gateway of the up default route (destination and mask
    /// 0) with the lowest metric, or null. Throws <see cref="FormatException"/> for a table that is not that file.
    /// </summary>
    public static IPAddress? Parse(string procNetRoute)
    {
        var lines = procNetRoute.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0) throw new FormatException("/proc/net/route is empty (it always has a header line)");
        var header = lines[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        int Column(string name)
        {
            var i = Array.IndexOf(header, name);
            return i >= 0 ? i : throw new FormatException($"/proc/net/route header has no '{name}' column: '{lines[0]}'");
        }
        int dest = Column("Destination"), gw = Column("Gateway"), flags = Column("Flags"), metric = Column("Metric"), mask = Column("Mask");
        IPAddress? best = null;
        var bestMetric = long.MaxValue;
        for (var n = 1; n < lines.Length; n++)
        {
            var f = lines[n].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < header.Length) throw new FormatException($"/proc/net/route line {n + 1} has {f.Length} fields, the header {header.Length}");
            var fl = Hex(f[flags], n);
            if (Hex(f[dest], n) != 0 || Hex(f[mask], n) != 0 || (fl & (RtfUp | RtfGateway)) != (RtfUp | RtfGateway)) continue;
            var m = long.Parse(f[metric], NumberStyles.Integer, CultureInfo.InvariantCulture);
            if (m >= bestMetric) continue;
            bestMetric = m;
            best = ToAddress(Hex(f[gw], n));
        }
        return best;
    }

    private static uint Hex(string field, int line) =>
        uint.TryParse(field, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"/proc/net/route line {line + 1}: '{field}' is not a hex number");

    // The kernel prints the address as the native-endian integer of network-order bytes.
    private static IPAddress ToAddress(uint value)
    {
        var bytes = new byte[4];
        if (BitConverter.IsLittleEndian) BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        else BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
