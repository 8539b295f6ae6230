using System.Globalization;
using P2PNode.Training.Data;

namespace P2PNode.Training.Simulation;

/// <summary>
/// How the training set is cut across simulated workers: text form `iid`, `dirichlet:A` (label skew, smaller A =
/// more skewed) or `classes:K` (each worker holds K classes). Delegates to <see cref="Partitioner"/>.
/// </summary>
public sealed record DataSplit
{
    public string Kind { get; init; } = "iid";

    /// <summary>Dirichlet concentration α (only for `dirichlet`).</summary>
    public double Alpha { get; init; }

    /// <summary>Classes per worker (only for `classes`).</summary>
    public int ClassesPerWorker { get; init; }

    public static DataSplit Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        if (t == "iid") return new DataSplit();
        var colon = t.IndexOf(':');
        var head = colon < 0 ? t : t[..colon];
        var arg = colon < 0 ? "" : t[(colon + 1)..];
        switch (head)
        {
            case "dirichlet":
                if (!double.TryParse(arg, NumberStyles.Float, CultureInfo.InvariantCulture, out var a) || !(a > 0) || double.IsInfinity(a))
                    throw new ArgumentException($"split '{text}': dirichlet needs a positive alpha, e.g. dirichlet:0.5");
                return new DataSplit { Kind = "dirichlet", Alpha = a };
            case "classes":
                if (!int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1)
                    throw new ArgumentException($"split '{text}': classes needs a positive class count per worker, e.g. classes:2");
                return new DataSplit { Kind = "classes", ClassesPerWorker = k };
            default:
                throw new ArgumentException($"split '{text}' is not iid, dirichlet:ALPHA or classes:K");
        }
    }

    /// <summary>One shard per worker; deterministic from <paramref name="seed"/>.</summary>
    public NodeShard[] Partition(int[] labels, int classes, int workers, long seed) => Kind switch
    {
        "iid" => Partitioner.Iid(labels, workers, seed),
        "dirichlet" => Partitioner.Dirichlet(labels, classes, workers, Alpha, seed),
        "classes" => Partitioner.ByClass(labels, classes, workers, ClassesPerWorker, seed),
        _ => throw new ArgumentException($"unknown split kind '{Kind}'"),
    };

    public override string ToString() => Kind switch
    {
        "dirichlet" => "dirichlet:" + Alpha.ToString(CultureInfo.InvariantCulture),
        "classes" => "classes:" + ClassesPerWorker.ToString(CultureInfo.InvariantCulture),
        _ => Kind,
    };
}
