using System.Buffers;

namespace P2PNode.Ledger.Audit;

/// <summary>
/// Splits an export into lines of raw bytes on '\n', streaming: memory stays bounded by the line limit however
/// large the file or one line is (a line over the limit is skipped, not held). Decoding is left to the caller,
/// so one bad byte spoils only its own line.
/// </summary>
internal sealed class ExportLineReader(Stream input, int maxLineBytes)
{
    private readonly byte[] _buffer = new byte[1 << 16];
    private readonly ArrayBufferWriter<byte> _line = new();
    private int _pos, _len;

    /// <summary>True when a JSON string in the line escapes a lone UTF-16 surrogate (<c>\udcff</c> alone). Such a
    /// string is not Unicode text; System.Text.Json would only notice when that very string is read, so a lone
    /// surrogate in a field compared as a JSON value (an entry's body) would slip through as a mismatch.</summary>
    public static bool HasLoneSurrogateEscape(ReadOnlySpan<byte> line)
    {
        var high = false; // the previous character was an escaped high surrogate
        for (var i = 0; i < line.Length;)
        {
            if (line[i] == '\\' && i + 1 < line.Length)
            {
                if (line[i + 1] == 'u' && i + 6 <= line.Length && TryHex4(line.Slice(i + 2, 4), out var unit))
                {
                    if (unit is >= 0xD800 and <= 0xDBFF) { if (high) return true; high = true; }
                    else if (unit is >= 0xDC00 and <= 0xDFFF) { if (!high) return true; high = false; }
                    else if (high) return true;
                    i += 6;
                    continue;
                }
                if (high) return true;
                i += 2; // any other escape, "\\" included
                continue;
            }
            if (high) return true;
            i++;
        }
        return high;
    }

    private static bool TryHex4(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var d in digits)
        {
            var v = d is >= (byte)'0' and <= (byte)'9' ? d - '0' : (d | 0x20) is >= 'a' and <= 'f' ? (d | 0x20) - 'a' + 10 : -1;
            if (v < 0) return false;
            value = value * 16 + v;
        }
        return true;
    }

    /// <summary>False at the end of the input. Otherwise the next line without its '\n' (a last line without
    /// one counts too), or null when the line was longer than the limit.</summary>
    public bool TryRead(out byte[]? line)
    {
        _line.Clear();
        var tooLong = false;
        var started = false;
        while (true)
        {
            if (_pos == _len)
            {
                (_pos, _len) = (0, input.Read(_buffer));
                if (_len == 0)
                {
                    line = tooLong ? null : _line.WrittenSpan.ToArray();
                    return started;
                }
            }
            started = true;
            var rest = _buffer.AsSpan(_pos, _len - _pos);
            var newline = rest.IndexOf((byte)'\n');
            var part = newline < 0 ? rest : rest[..newline];
            if (!tooLong && _line.WrittenCount + part.Length > maxLineBytes)
            {
                tooLong = true;
                _line.Clear();
            }
            if (!tooLong) _line.Write(part);
            _pos += newline < 0 ? rest.Length : newline + 1;
            if (newline >= 0)
            {
                line = tooLong ? null : _line.WrittenSpan.ToArray();
                return true;
            }
        }
    }
}
