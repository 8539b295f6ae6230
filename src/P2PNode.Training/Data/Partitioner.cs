namespace P2PNode.Training.Data;

/// <summary>
/// Splits a labelled dataset across N nodes, deterministically from a seed (every node computes the same
/// partition and takes its own shard, no coordination needed). Shards are pairwise disjoint. Each shard is then
/// split into train and held-out parts: the shard is shuffled with the generator "heldout/{node}" and the first
/// round(fraction·size) indices are held out. All index arrays are returned sorted.
/// Generators: DeterministicRng.ForPurpose(seed, purpose) with the purposes named below.
/// </summary>
public static class Partitioner
{
    /// <summary>
    /// IID: all indices shuffled (purpose "partition/iid"), then dealt round-robin: node i gets positions i, i+N, …
    /// Sizes differ by at most one; class mixes match the whole dataset up to sampling noise.
    /// </summary>
    public static NodeShard[] Iid(int[] labels, int nodes, long seed, double heldOutFraction = 0.1)
    {
        Check(labels, nodes, heldOutFraction);
        var order = Enumerable.Range(0, labels.Length).ToArray();
        DeterministicRng.ForPurpose(seed, "partition/iid").Shuffle(order.AsSpan());
        var parts = Enumerable.Range(0, nodes).Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < order.Length; i++) parts[i % nodes].Add(order[i]);
        return Finish(parts, seed, heldOutFraction);
    }

    /// <summary>
    /// Pathological non-IID: each node holds exactly <paramref name="classesPerNode"/> classes. The classes are
    /// shuffled (purpose "partition/by-class"); node i holds perm[(i·k + j) mod C] for j &lt; k. The samples of a
    /// class are shuffled (purpose "partition/by-class/{c}") and cut into near-equal contiguous chunks, one per
    /// holder in node order. With nodes·k ≥ C every sample is assigned; otherwise classes nobody holds are left out.
    /// </summary>
    public static NodeShard[] ByClass(int[] labels, int classes, int nodes, int classesPerNode, long seed, double heldOutFraction = 0.1)
    {
        Check(labels, nodes, heldOutFraction);
        if (classesPerNode < 1 || classesPerNode > classes)
            throw new ArgumentOutOfRangeException(nameof(classesPerNode), $"classes per node must be in [1, {classes}], got {classesPerNode}");
        var perm = Enumerable.Range(0, classes).ToArray();
        DeterministicRng.ForPurpose(seed, "partition/by-class").Shuffle(perm.AsSpan());
        var holders = Enumerable.Range(0, classes).Select(_ => new List<int>()).ToArray();
        for (var node = 0; node < nodes; node++)
            for (var j = 0; j < classesPerNode; j++)
                holders[perm[(node * classesPerNode + j) % classes]].Add(node);
        var byClass = IndicesByClass(labels, classes);
        var parts = Enumerable.Range(0, nodes).Select(_ => new List<int>()).ToArray();
        for (var c = 0; c < classes; c++)
        {
            if (holders[c].Count == 0) continue;
            var idx = byClass[c];
            DeterministicRng.ForPurpose(seed, $"partition/by-class/{c}").Shuffle(idx.AsSpan());
            var h = holders[c].Count;
            for (var j = 0; j < h; j++)
            {
                int from = (int)((long)idx.Length * j / h), to = (int)((long)idx.Length * (j + 1) / h);
                parts[holders[c][j]].AddRange(idx[from..to]);
            }
        }
        return Finish(parts, seed, heldOutFraction);
    }

    /// <summary>
    /// Dirichlet non-IID (Hsu et al. 2019): for each class c in order, proportions p ~ Dir(α, …, α) over the N
    /// nodes (gamma draws, purpose "partition/dirichlet", one generator for the whole partition), the class's
    /// samples shuffled and cut at round(n_c · cumsum(p)). Small α (0.1) gives nodes dominated by one or two
    /// classes; large α (100) approaches IID. If some node gets fewer than <paramref name="minPerNode"/> samples
    /// the draw is repeated with the same generator (up to 1000 times, then an error).
    /// </summary>
    public static NodeShard[] Dirichlet(int[] labels, int classes, int nodes, double alpha, long seed, double heldOutFraction = 0.1, int minPerNode = 10)
    {
        Check(labels, nodes, heldOutFraction);
        if (!(alpha > 0) || double.IsInfinity(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Dirichlet alpha must be a positive finite number");
        if ((long)minPerNode * nodes > labels.Length)
            throw new ArgumentException($"cannot give {nodes} nodes at least {minPerNode} samples each from {labels.Length} samples");
        var rng = DeterministicRng.ForPurpose(seed, "partition/dirichlet");
        var byClass = IndicesByClass(labels, classes);
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var parts = Enumerable.Range(0, nodes).Select(_ => new List<int>()).ToArray();
            for (var c = 0; c < classes; c++)
            {
                var idx = (int[])byClass[c].Clone();
                rng.Shuffle(idx.AsSpan());
                var g = new double[nodes];
                for (var i = 0; i < nodes; i++) g[i] = rng.NextGamma(alpha);
                var sum = g.Sum();
                double cum = 0;
                var from = 0;
                for (var i = 0; i < nodes; i++)
                {
                    cum += g[i];
                    var to = i == nodes - 1 ? idx.Length : (int)Math.Round(idx.Length * (sum > 0 ? cum / sum : (i + 1.0) / nodes));
                    to = Math.Clamp(to, from, idx.Length);
                    parts[i].AddRange(idx[from..to]);
                    from = to;
                }
            }
            if (parts.All(p => p.Count >= minPerNode)) return Finish(parts, seed, heldOutFraction);
        }
        throw new InvalidOperationException($"Dirichlet(alpha={alpha}) could not give every one of {nodes} nodes {minPerNode} samples in 1000 draws; raise alpha or lower minPerNode");
    }

    private static void Check(int[] labels, int nodes, double heldOutFraction)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (nodes < 1) throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "need at least one node");
        if (nodes > labels.Length) throw new ArgumentException($"{nodes} nodes but only {labels.Length} samples");
        if (!(heldOutFraction >= 0 && heldOutFraction < 1)) throw new ArgumentOutOfRangeException(nameof(heldOutFraction), heldOutFraction, "held-out fraction must be in [0, 1)");
    }

    private static int[][] IndicesByClass(int[] labels, int classes)
    {
        var lists = Enumerable.Range(0, classes).Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes) throw new ArgumentException($"label {labels[i]} at index {i} is outside [0, {classes})");
            lists[labels[i]].Add(i);
        }
        return lists.Select(l => l.ToArray()).ToArray();
    }

    private static NodeShard[] Finish(List<int>[] parts, long seed, double heldOutFraction)
    {
        var shards = new NodeShard[parts.Length];
        for (var node = 0; node < parts.Length; node++)
        {
            var idx = parts[node].ToArray();
            Array.Sort(idx); // canonical order before the held-out shuffle, whatever order the partition produced
            DeterministicRng.ForPurpose(seed, $"heldout/{node}").Shuffle(idx.AsSpan());
            var held = (int)Math.Round(heldOutFraction * idx.Length);
            var heldOut = idx[..held];
            var train = idx[held..];
            Array.Sort(heldOut);
            Array.Sort(train);
            shards[node] = new NodeShard(node, train, heldOut);
        }
        return shards;
    }
}
