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

    public void Save(string path)
    {
        var size = 8 + 8 + 32 + 4 + 4 * Model.Length + 4 + OuterState.Length + 4 + 4 * Residual.Length + 8;
        var bytes = new byte[size + 32];
        var s = bytes.AsSpan();
        Magic.CopyTo(s);
        var o = 8;
        BinaryPrimitives.WriteUInt64BigEndian(s[o..], Round); o += 8;
        ModelHash.CopyTo(s[o..]); o += 32;
        o = WriteFloats(s, o, Model);
        BinaryPrimitives.WriteUInt32BigEndian(s[o..], (uint)OuterState.Length); o += 4;
        OuterState.CopyTo(s[o..]); o += OuterState.Length;
        o = WriteFloats(s, o, Residual);
        BinaryPrimitives.WriteInt64BigEndian(s[o..], StepsDone); o += 8;
        SHA256.HashData(s[..o], s[o..]);
        var tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(bytes);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Loads a state file; null if there is none. A damaged file is an <see cref="InvalidDataException"/>.</summary>
    public static NodeState? Load(string path, int expectedParameters)
    {
        if (!File.Exists(path)) return null;
        var bytes = File.ReadAllBytes(path);
        var s = bytes.AsSpan();
        if (bytes.Length < 8 + 8 + 32 + 4 + 4 + 4 + 8 + 32 || !s[..8].SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not a node state file");
        if (!SHA256.HashData(s[..^32]).AsSpan().SequenceEqual(s[^32..]))
            throw new InvalidDataException($"{path} is damaged (its checksum does not match)");
        try
        {
            var o = 8;
            var round = BinaryPrimitives.ReadUInt64BigEndian(s[o..]); o += 8;
            var hash = s.Slice(o, 32).ToArray(); o += 32;
            (var model, o) = ReadFloats(s, o);
            var m = checked((int)BinaryPrimitives.ReadUInt32BigEndian(s[o..])); o += 4;
            var outer = s.Slice(o, m).ToArray(); o += m;
            (var residual, o) = ReadFloats(s, o);
            var steps = BinaryPrimitives.ReadInt64BigEndian(s[o..]); o += 8;
            if (o != bytes.Length - 32) throw new InvalidDataException($"{path} has {bytes.Length - 32 - o} unexpected trailing bytes");
            if (model.Length != expectedParameters || residual.Length != expectedParameters)
                throw new InvalidDataException($"{path} holds {model.Length} parameters, this run's model has {expectedParameters}");
            return new NodeState(round, hash, model, outer, residual, steps);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException($"{path} is truncated");
        }
    }

    private static int WriteFloats(Span<byte> s, int o, float[] values)
    {
        BinaryPrimitives.WriteUInt32BigEndian(s[o..], (uint)values.Length); o += 4;
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(s[(o + 4 * i)..], values[i]);
        return o + 4 * values.Length;
    }

    private static (float[], int) ReadFloats(ReadOnlySpan<byte> s, int o)
    {
        var n = checked((int)BinaryPrimitives.ReadUInt32BigEndian(s[o..])); o += 4;
        if ((long)n * 4 > s.Length - o) throw new InvalidDataException("node state is truncated");
        var values = new float[n];
        for (var i = 0; i < n; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(s[(o + 4 * i)..]);
        return (values, o + 4 * n);
    }
}
