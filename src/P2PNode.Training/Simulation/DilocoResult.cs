namespace P2PNode.Training.Simulation;

/// <summary>Outcome of <see cref="DilocoSimulation.Run"/>.</summary>
public sealed record DilocoResult
{
    public required long Parameters { get; init; }
    public required int Workers { get; init; }

    /// <summary>Training samples each worker's shard holds (after any --samples-per-worker cap).</summary>
    public required IReadOnlyList<int> ShardSizes { get; init; }

    /// <summary>Payload bytes each worker sent over the whole run (sum of its encoded deltas' lengths).</summary>
    public required IReadOnlyList<long> BytesSentPerWorker { get; init; }

    /// <summary>Training samples processed by all workers together (N · H · R · batch, less the smaller last batch of each pass over a shard).</summary>
    public required long TotalSamples { get; init; }

    /// <summary>Inner steps each worker ran: H · R. Also the number of all-reduces of the dense baseline.</summary>
    public required long StepsPerWorker { get; init; }

    public required double TestLoss { get; init; }
    public required double TestAccuracy { get; init; }
    public required string ModelHash { get; init; }
    public required IReadOnlyList<DilocoRound> Rounds { get; init; }
    public required double Seconds { get; init; }

    /// <summary>Mean over workers of <see cref="BytesSentPerWorker"/>.</summary>
    public double MeanBytesPerWorker => BytesSentPerWorker.Count == 0 ? 0 : BytesSentPerWorker.Average();

    /// <summary>What a dense fp32 ring all-reduce every inner step would send per worker (<see cref="AllReduceCost"/>).</summary>
    public double DenseAllReduceBytesPerWorker => AllReduceCost.BytesPerWorker(Workers, Parameters, StepsPerWorker);
}
