namespace P2PNode.Training.Byzantine;

/// <summary>
/// One dishonest node's lie, round after round: turns the delta it computed honestly (or, for
/// <see cref="AttackMode.LabelFlip"/>, on poisoned labels) into the delta and sample claim it sends. The same code
/// drives the attackers of the in-process simulation and of the swarm's node processes, so the defences are measured
/// against one definition of each attack. Deterministic from the run seed and the attacker's index.
/// </summary>
public sealed class Attacker(AttackMode mode, long seed, int index)
{
    /// <summary>How many standard deviations below the honest mean, per coordinate, the colluders' delta sits. "A little
    /// is enough" derives about 0.3–0.7 for 8 nodes and 2–3 attackers from the majority it must hide in; 1.5 pushes
    /// harder while each coordinate still looks like an honest value.</summary>
    public const double CollusionZ = 1.5;

    /// <summary>Sample count × this for <see cref="AttackMode.Inflate"/>.</summary>
    public const long InflateFactor = 100;

    private readonly DeterministicRng _rng = DeterministicRng.ForPurpose(seed, $"byzantine/{index}");
    private float[]? _first;

    public AttackMode Mode => mode;

    /// <summary>True when the attacker needs the round's other deltas (what it has received) to lie.</summary>
    public bool NeedsOthers => mode is AttackMode.Copy or AttackMode.Collude;

    /// <summary>Label y becomes this for a <see cref="AttackMode.LabelFlip"/> attacker.</summary>
    public static int FlipLabel(int label, int classes) => (label + 1) % classes;

    /// <summary>The training set with every label moved by <see cref="FlipLabel"/> (the features array is shared):
    /// what a label-flipping attacker trains on.</summary>
    public static Data.LabeledDataset FlipLabels(Data.LabeledDataset train) =>
        new(train.Features, [.. train.Labels.Select(y => FlipLabel(y, train.Classes))], train.SampleShape, train.Classes);

    /// <summary>What the attacker sends for the round: its delta (a new array) and the sample count it claims.</summary>
    /// <param name="honest">The delta it computed this round.</param>
    /// <param name="samples">The samples that training really processed.</param>
    /// <param name="others">Other nodes' deltas of this round as received (decoded), in any order; may be empty.</param>
    public (float[] Delta, long Samples) Lie(ReadOnlySpan<float> honest, long samples, IReadOnlyList<ReadOnlyMemory<float>> others)
    {
        var delta = honest.ToArray();
        switch (mode)
        {
            case AttackMode.Scale: Multiply(delta, -10f); break;
            case AttackMode.Amplify: Multiply(delta, 100f); break;
            case AttackMode.SignFlip: Multiply(delta, -1f); break;
            case AttackMode.Noise: Noise(delta); break;
            case AttackMode.Zero: Array.Clear(delta); break;
            case AttackMode.Stale:
                // Trains once, then re-sends that first delta for ever: a valid entry every round for no work.
                _first ??= delta;
                return ((float[])_first.Clone(), samples);
            case AttackMode.Inflate: return (delta, samples * InflateFactor);
            case AttackMode.Copy:
                // Nothing received yet (the very first round, alone): nothing to copy, so it sends nothing useful.
                if (others.Count > 0) others[0].Span.CopyTo(delta);
                else Array.Clear(delta);
                break;
            case AttackMode.Collude: return (others.Count >= 2 ? Collusion(others) : delta, samples);
            case AttackMode.LabelFlip: break; // the poison is in the labels it trained on
        }
        return (delta, samples);
    }

    private static void Multiply(float[] delta, float k)
    {
        for (var i = 0; i < delta.Length; i++) delta[i] *= k;
    }

    private void Noise(float[] delta)
    {
        double norm = 0, sum = 0;
        foreach (var v in delta) norm += (double)v * v;
        norm = Math.Sqrt(norm);
        for (var i = 0; i < delta.Length; i++)
        {
            delta[i] = (float)_rng.NextNormal();
            sum += (double)delta[i] * delta[i];
        }
        var k = sum > 0 ? (float)(norm / Math.Sqrt(sum)) : 0f;
        Multiply(delta, k);
    }

    /// <summary>Mean − z·std per coordinate over the honest deltas it received (not its own, so that colluders who
    /// received the same deltas send the same vector).</summary>
    public static float[] Collusion(IReadOnlyList<ReadOnlyMemory<float>> honest)
    {
        var result = new float[honest[0].Length];
        var m = honest.Count;
        for (var i = 0; i < result.Length; i++)
        {
            double sum = 0, squares = 0;
            foreach (var o in honest)
            {
                double v = o.Span[i];
                sum += v;
                squares += v * v;
            }
            var mean = sum / m;
            var std = Math.Sqrt(Math.Max(0, squares / m - mean * mean));
            result[i] = (float)(mean - CollusionZ * std);
        }
        return result;
    }
}
