using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace P2PNode.Training.Text;

/// <summary>
/// A read-only run of token ids: a memory-mapped file of little-endian uint16 or uint32 ids (so a corpus larger
/// than memory works; the OS pages it in and out), or an in-memory array for tests. Reads are thread-safe.
/// </summary>
public sealed unsafe class TokenSequence : IDisposable, Trainer.ITokenStream
{
    private readonly int[]? _ids;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _pointer;

    internal TokenSequence(int[] ids)
    {
        _ids = ids;
        Length = ids.Length;
        BytesPerToken = sizeof(int);
    }

    private TokenSequence(string path, int bytesPerToken)
    {
        BytesPerToken = bytesPerToken;
        var bytes = new FileInfo(path).Length;
        Length = bytes / bytesPerToken;
        if (bytes == 0) return; // an empty file cannot be mapped
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _pointer);
        _pointer += _view.PointerOffset;
    }

    /// <summary>Number of ids.</summary>
    public long Length { get; }

    /// <summary>2 or 4 for a token file, 4 in memory.</summary>
    public int BytesPerToken { get; }

    public int this[long index]
    {
        get
        {
            Span<int> one = stackalloc int[1];
            CopyTo(index, one);
            return one[0];
        }
    }

    internal static TokenSequence Map(string path, int bytesPerToken) => new(path, bytesPerToken);

    /// <summary>Ids [start, start + destination.Length).</summary>
    public void CopyTo(long start, Span<int> destination)
    {
        Check(start, destination.Length);
        if (_ids is not null) { _ids.AsSpan((int)start, destination.Length).CopyTo(destination); return; }
        if (BytesPerToken == 2)
        {
            var source = new ReadOnlySpan<ushort>(_pointer + start * 2, destination.Length);
            for (var i = 0; i < source.Length; i++) destination[i] = LittleEndian(source[i]);
        }
        else
        {
            var source = new ReadOnlySpan<int>(_pointer + start * 4, destination.Length);
            for (var i = 0; i < source.Length; i++) destination[i] = LittleEndian(source[i]);
        }
    }

    /// <summary>Ids [start, start + destination.Length), widened for int64 index tensors.</summary>
    /// <summary><see cref="Trainer.ITokenStream"/>: the same as <see cref="CopyTo(long, Span{long})"/>.</summary>
    public void Read(long start, Span<long> destination) => CopyTo(start, destination);

    public void CopyTo(long start, Span<long> destination)
    {
        Span<int> chunk = stackalloc int[1024];
        for (var done = 0; done < destination.Length; done += chunk.Length)
        {
            var part = chunk[..Math.Min(chunk.Length, destination.Length - done)];
            CopyTo(start + done, part);
            for (var i = 0; i < part.Length; i++) destination[done + i] = part[i];
        }
    }

    public int[] ToArray(long start, int count)
    {
        var ids = new int[count];
        CopyTo(start, ids);
        return ids;
    }

    public void Dispose()
    {
        if (_view is null) return;
        if (_pointer is not null) { _view.SafeMemoryMappedViewHandle.ReleasePointer(); _pointer = null; }
        _view.Dispose();
        _map!.Dispose();
    }

    private void Check(long start, int count)
    {
        if (start < 0 || count < 0 || start > Length - count)
            throw new ArgumentOutOfRangeException(nameof(start), $"ids [{start}, {start + count}) are outside the sequence of {Length}");
        ObjectDisposedException.ThrowIf(_view is not null && _pointer is null, this);
    }

    private static int LittleEndian(ushort v) => BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v);
    private static int LittleEndian(int v) => BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v);
}
