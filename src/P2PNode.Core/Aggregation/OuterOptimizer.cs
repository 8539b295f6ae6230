using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace P2PNode.Aggregation;

/// <summary>
/// Outer SGD with (Nesterov) momentum on flat float32 spans, following PyTorch's <c>torch.optim.SGD</c>
/// (dampening 0, weight decay 0). With g the averaged pseudo-gradient (θ_round - θ_local, averaged), μ the
/// momentum and η the learning rate, per coordinate and in float32:
/// <code>
/// step 1:     buf = g                     (PyTorch clones g into the new buffer)
/// step t > 1: buf = fl(fl(μ·buf) + g)
/// update      = Nesterov ? fl(g + fl(μ·buf)) : buf      (μ = 0: update = g, no buffer)
/// θ           = fl(θ - fl(η·update))
/// </code>
/// Each operation is rounded separately (no fused multiply-add) so that every node, whatever its CPU,
/// computes the same bits — the new model's hash goes into the ledger.
/// </summary>
public sealed class OuterOptimizer
{
    private const int StateHeader = 20;
    private static ReadOnlySpan<byte> StateMagic => "P2OS"u8;
    private readonly float[] _buffer;

    public OuterOptimizer(int length, OuterOptimizerOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Options = options ?? new OuterOptimizerOptions();
        Options.Validate();
        _buffer = new float[length];
    }

    public OuterOptimizerOptions Options { get; }

    /// <summary>Parameter count this optimizer serves.</summary>
    public int Length => _buffer.Length;

    /// <summary>Outer steps applied so far (0 before the first; the buffer is then unused).</summary>
    public long Step { get; private set; }

    /// <summary>The momentum buffer (zeros before the first step or when momentum is 0).</summary>
    public ReadOnlySpan<float> MomentumBuffer => _buffer;

    /// <summary>Applies one outer step to <paramref name="parameters"/> in place, with <see cref="OuterOptimizerOptions.LearningRate"/>.</summary>
    public void Apply(Span<float> parameters, ReadOnlySpan<float> pseudoGradient) => Apply(parameters, pseudoGradient, Options.LearningRate);

    /// <summary>
    /// One outer step with an explicit learning rate η for this step only (an outer-lr schedule, as PyTorch's
    /// schedulers set <c>group["lr"]</c> before <c>step()</c>): it scales the whole update, momentum included;
    /// the buffer itself does not depend on η. With η = Options.LearningRate it is bit-identical to
    /// <see cref="Apply(Span{float}, ReadOnlySpan{float})"/>.
    /// </summary>
    public void Apply(Span<float> parameters, ReadOnlySpan<float> pseudoGradient, float learningRate)
    {
        if (parameters.Length != Length || pseudoGradient.Length != Length)
            throw new ArgumentException($"expected {Length} parameters and pseudo-gradient values, got {parameters.Length} and {pseudoGradient.Length}");
        if (!float.IsFinite(learningRate) || learningRate <= 0)
            throw new ArgumentException($"outer learning rate must be finite and > 0, got {learningRate}", nameof(learningRate));
        var mu = Options.Momentum;
        var lr = learningRate;
        var first = Step == 0;
        ref var rp = ref MemoryMarshal.GetReference(parameters);
        ref var rg = ref MemoryMarshal.GetReference(pseudoGradient);
        ref var rb = ref MemoryMarshal.GetArrayDataReference(_buffer);
        var vmu = Vector256.Create(mu);
        var vlr = Vector256.Create(lr);
        var i = 0;
        for (; i + 8 <= Length; i += 8)
        {
            var g = Vector256.LoadUnsafe(ref rg, (nuint)i);
            var update = g;
            if (mu != 0f)
            {
                var buf = first ? g : vmu * Vector256.LoadUnsafe(ref rb, (nuint)i) + g;
                buf.StoreUnsafe(ref rb, (nuint)i);
                update = Options.Nesterov ? g + vmu * buf : buf;
            }
            (Vector256.LoadUnsafe(ref rp, (nuint)i) - vlr * update).StoreUnsafe(ref rp, (nuint)i);
        }
        for (; i < Length; i++)
        {
            var g = pseudoGradient[i];
            var update = g;
            if (mu != 0f)
            {
                var buf = first ? g : mu * _buffer[i] + g;
                _buffer[i] = buf;
                update = Options.Nesterov ? g + mu * buf : buf;
            }
            parameters[i] -= lr * update;
        }
        Step++;
    }

    /// <summary>Serializes step and momentum buffer: "P2OS", version 1, 3 zero bytes, u32 length, u64 step,
    /// then length float32 values, all little-endian. Options are configuration, not state.</summary>
    public byte[] SaveState()
    {
        var state = new byte[StateHeader + 4L * Length];
        StateMagic.CopyTo(state);
        state[4] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(state.AsSpan(8), (uint)Length);
        BinaryPrimitives.WriteInt64LittleEndian(state.AsSpan(12), Step);
        for (var i = 0; i < Length; i++) BinaryPrimitives.WriteSingleLittleEndian(state.AsSpan(StateHeader + 4 * i), _buffer[i]);
        return state;
    }

    /// <summary>Restores a state written by <see cref="SaveState"/>; throws <see cref="FormatException"/>
    /// for anything else (wrong magic, version, length, negative step, non-finite buffer values).</summary>
    public static OuterOptimizer LoadState(ReadOnlySpan<byte> state, int expectedLength, OuterOptimizerOptions? options = null)
    {
        if (state.Length < StateHeader)
            throw new FormatException($"optimizer state truncated: {state.Length} bytes, header needs {StateHeader}");
        if (!state[..4].SequenceEqual(StateMagic))
            throw new FormatException($"optimizer state has bad magic {Convert.ToHexString(state[..4])}, expected 50324F53 (\"P2OS\")");
        if (state[4] != 1)
            throw new FormatException($"unsupported optimizer state version {state[4]}");
        if (state[5] != 0 || state[6] != 0 || state[7] != 0)
            throw new FormatException("optimizer state reserved bytes 5..7 must be 0");
        var length = BinaryPrimitives.ReadUInt32LittleEndian(state[8..]);
        if (length != (uint)expectedLength)
            throw new FormatException($"optimizer state is for {length} parameters, expected {expectedLength}");
        if (state.Length != StateHeader + 4L * length)
            throw new FormatException($"optimizer state is {state.Length} bytes, {length} parameters need {StateHeader + 4L * length}");
        var step = BinaryPrimitives.ReadInt64LittleEndian(state[12..]);
        if (step < 0) throw new FormatException($"optimizer state step {step} is negative");
        var optimizer = new OuterOptimizer(expectedLength, options) { Step = step };
        for (var i = 0; i < expectedLength; i++)
        {
            var v = BinaryPrimitives.ReadSingleLittleEndian(state[(StateHeader + 4 * i)..]);
            if (!float.IsFinite(v)) throw new FormatException($"optimizer momentum buffer value #{i} is {v}");
            optimizer._buffer[i] = v;
        }
        return optimizer;
    }
}
