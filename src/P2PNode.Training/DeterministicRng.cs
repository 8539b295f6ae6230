using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace P2PNode.Training;

/// <summary>
/// Our own random number generator, so that everything derived from a run's seed (initial weights, data
/// partitions, batch order) is identical on every node, every platform and every libtorch version, and does not
/// depend on torch's global generator (which other threads may be consuming).
/// </summary>
/// <remarks>
/// Algorithm (documented in docs/training.md so others can reproduce it): SplitMix64. State s (uint64);
/// next: s += 0x9E3779B97F4A7C15; z = s; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) *
/// 0x94D049BB133111EB; return z ^ (z >> 31). A generator for a purpose is derived with <see cref="ForPurpose"/>:
/// initial state = first 8 bytes (little-endian) of SHA-256(UTF-8("p2pnode-rng/v1|" + seed + "|" + purpose)),
/// seed written in invariant decimal. Independent streams therefore never overlap by accident.
/// </remarks>
public sealed class DeterministicRng
{
    private ulong _state;

    public DeterministicRng(ulong state) => _state = state;

    /// <summary>A generator for one named purpose (e.g. "init/conv1.weight", "partition/iid").</summary>
    public static DeterministicRng ForPurpose(long seed, string purpose)
    {
        var text = "p2pnode-rng/v1|" + seed.ToString(System.Globalization.CultureInfo.InvariantCulture) + "|" + purpose;
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return new DeterministicRng(BinaryPrimitives.ReadUInt64LittleEndian(digest));
    }

    public ulong NextUInt64()
    {
        unchecked
        {
            _state += 0x9E3779B97F4A7C15UL;
            var z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Uniform in [0, 1) with 24 bits: (next >> 40) * 2^-24, exactly representable as float32.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 bits: (next >> 11) * 2^-53.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n), unbiased (rejection sampling on the top bits).</summary>
    public int NextInt(int n) => (int)NextLong(n);

    /// <summary>Uniform integer in [0, n), unbiased; the same draws as <see cref="NextInt"/> for n below 2^31.</summary>
    public long NextLong(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        var limit = ulong.MaxValue - ulong.MaxValue % (ulong)n;
        ulong x;
        do x = NextUInt64(); while (x >= limit);
        return (long)(x % (ulong)n);
    }

    /// <summary>Fisher–Yates shuffle from the last element down: for i = n-1..1 swap(i, NextInt(i+1)).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Standard normal (Box–Muller). Uses log/cos, so only bit-exact on the same math library.</summary>
    public double NextNormal()
    {
        var u1 = ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53)); // (0, 1]: log is finite
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Gamma(shape, 1) by Marsaglia–Tsang; shape &lt; 1 via Gamma(shape + 1) * U^(1/shape).</summary>
    public double NextGamma(double shape)
    {
        if (!(shape > 0) || double.IsInfinity(shape)) throw new ArgumentOutOfRangeException(nameof(shape), shape, "gamma shape must be a positive finite number");
        if (shape < 1)
        {
            var u = ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));
            return NextGamma(shape + 1) * Math.Pow(u, 1.0 / shape);
        }
        var d = shape - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do { x = NextNormal(); v = 1.0 + c * x; } while (v <= 0);
            v = v * v * v;
            var u = NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x) return d * v;
            if (Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v;
        }
    }
}
