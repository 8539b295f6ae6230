using System.Buffers.Binary;

namespace P2PNode.Training.Text;

/// <summary>Appends token ids to a file as little-endian uint16 (vocabularies up to 65,536) or uint32.</summary>
internal sealed class TokenFileWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly byte[] _buffer = new byte[1 << 16];

    public TokenFileWriter(string path, int bytesPerToken)
    {
        Path = path;
        BytesPerToken = bytesPerToken;
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
    }

    public string Path { get; }
    public int BytesPerToken { get; }
    public long Count { get; private set; }

    public void Write(ReadOnlySpan<int> ids)
    {
        var perChunk = _buffer.Length / BytesPerToken;
        for (var start = 0; start < ids.Length; start += perChunk)
        {
            var chunk = ids.Slice(start, Math.Min(perChunk, ids.Length - start));
            for (var i = 0; i < chunk.Length; i++)
            {
                if (BytesPerToken == 2) BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(i * 2), (ushort)chunk[i]);
                else BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(i * 4), chunk[i]);
            }
            _file.Write(_buffer, 0, chunk.Length * BytesPerToken);
        }
        Count += ids.Length;
    }

    public void Dispose() => _file.Dispose();
}
