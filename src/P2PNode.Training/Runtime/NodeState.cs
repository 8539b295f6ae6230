using System.Buffers.Binary;
using System.Security.Cryptography;

namespace P2PNode.Training.Runtime;

/// <summary>
/// What a training node needs to resume after a crash, written atomically (temporary file, fsync, rename) at
/// every round boundary: the round to train next, the shared model it starts from (and its hash), the outer
/// optimizer's momentum and the node's error-feedback residual. A SHA-256 trailer catches a torn or edited file.
/// Layout: "P2PNSTA1", u64 round, 32 model hash, u32 n, n f32 model, u32 m, m bytes outer state, u32 k, k f32
/// residual, u64 inner steps done, 32 SHA-256 of everything before. All integers big-endian, floats little-endian.
/// </summary>
public sealed record NodeState(ulong Round, byte[] ModelHash, float[] Model, byte[] OuterState, float[] Residual, long StepsDone)
{
    private static readonly byte[] Magic = "P2PNSTA1"u8.ToArray();

    /// <summary>Writes the file through a stream (no whole-file buffer: the GPT-2-small shape is 1.5 GB of state).</summary>
    public void Save(string path)
    {
        var tmp = path + ".tmp";
        using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            var w = new HashingWriter(file, hash);
            w.Write(Magic);
            w.U64(Round);
            w.Write(ModelHash);
            w.Floats(Model);
            w.U32((uint)OuterState.Length);
            w.Write(OuterState);
            w.Floats(Residual);
            w.U64((ulong)StepsDone);
            file.Write(hash.GetHashAndReset());
            file.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Loads a state file; null if there is none. A damaged file is an <see cref="InvalidDataException"/>.</summary>
    public static NodeState? Load(string path, int expectedParameters)
    {
        if (!File.Exists(path)) return null;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var length = file.Length;
        if (length < 8 + 8 + 32 + 4 + 4 + 4 + 8 + 32) throw new InvalidDataException($"{path} is not a node state file");
        var r = new HashingReader(file, hash, length - 32, path);
        if (!r.Bytes(8).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException($"{path} is not a node state file");
        var round = r.U64();
        var modelHash = r.Bytes(32);
        var model = r.Floats(expectedParameters);
        var outerLength = r.U32();
        if (outerLength > r.Remaining) throw new InvalidDataException($"{path} is truncated");
        var outer = r.Bytes((int)outerLength);
        var residual = r.Floats(expectedParameters);
        var steps = (long)r.U64();
        if (r.Remaining != 0) throw new InvalidDataException($"{path} has {r.Remaining} unexpected trailing bytes");
        var stored = new byte[32];
        file.ReadExactly(stored);
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(stored))
            throw new InvalidDataException($"{path} is damaged (its checksum does not match)");
        return new NodeState(round, modelHash, model, outer, residual, steps);
    }

    /// <summary>Big-endian integers, little-endian floats, everything also fed to the running SHA-256.</summary>
    private sealed class HashingWriter(Stream output, IncrementalHash hash)
    {
        private readonly byte[] _buffer = new byte[1 << 16];

        public void Write(ReadOnlySpan<byte> bytes)
        {
            output.Write(bytes);
            hash.AppendData(bytes);
        }

        public void U64(ulong v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteUInt64BigEndian(b, v); Write(b); }

        public void U32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, v); Write(b); }

        public void Floats(float[] values)
        {
            U32((uint)values.Length);
            for (var i = 0; i < values.Length; i += _buffer.Length / 4)
            {
                var n = Math.Min(_buffer.Length / 4, values.Length - i);
                for (var j = 0; j < n; j++) BinaryPrimitives.WriteSingleLittleEndian(_buffer.AsSpan(4 * j), values[i + j]);
                Write(_buffer.AsSpan(0, 4 * n));
            }
        }
    }

    /// <summary>Reads the fields before the trailing hash, never past <c>limit</c> bytes, hashing what it reads.</summary>
    private sealed class HashingReader(Stream input, IncrementalHash hash, long limit, string path)
    {
        private long _read;

        public long Remaining => limit - _read;

        public byte[] Bytes(int count)
        {
            if (count > Remaining) throw new InvalidDataException($"{path} is truncated");
            var bytes = new byte[count];
            input.ReadExactly(bytes);
            hash.AppendData(bytes);
            _read += count;
            return bytes;
        }

        public ulong U64() => BinaryPrimitives.ReadUInt64BigEndian(Bytes(8));

        public uint U32() => BinaryPrimitives.ReadUInt32BigEndian(Bytes(4));

        public float[] Floats(int expected)
        {
            var n = U32();
            if (n != expected) throw new InvalidDataException($"{path} holds {n} parameters, this run's model has {expected}");
            if (4L * n > Remaining) throw new InvalidDataException($"{path} is truncated");
            var values = new float[n];
            var buffer = new byte[1 << 16];
            for (var i = 0; i < values.Length; i += buffer.Length / 4)
            {
                var count = Math.Min(buffer.Length / 4, values.Length - i);
                input.ReadExactly(buffer, 0, 4 * count);
                hash.AppendData(buffer, 0, 4 * count);
                _read += 4 * count;
                for (var j = 0; j < count; j++) values[i + j] = BinaryPrimitives.ReadSingleLittleEndian(buffer.AsSpan(4 * j));
            }
            return values;
        }
    }
}
