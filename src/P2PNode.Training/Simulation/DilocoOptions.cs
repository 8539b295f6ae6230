using P2PNode.Aggregation;
using P2PNode.Compression;
using P2PNode.Training.Models;

namespace P2PNode.Training.Simulation;

/// <summary>Settings of one in-process DiLoCo simulation (<see cref="DilocoSimulation"/>).</summary>
public sealed record DilocoOptions
{
    /// <summary>Number of simulated workers N, each with its own shard, trainer, AdamW state and error-feedback residual.</summary>
    public int Workers { get; init; } = 4;

    /// <summary>At most this many workers: the round engine orders them by a 4-digit author (<see cref="DilocoSimulation"/>).</summary>
    public const int MaxWorkers = 9999;

    /// <summary>How the training set is split across workers.</summary>
    public DataSplit Split { get; init; } = new();

    /// <summary>H, inner AdamW steps per worker per round. Larger H = fewer, bigger exchanges.</summary>
    public int InnerSteps { get; init; } = 10;

    /// <summary>R, number of outer rounds. Total samples = N · H · R · batch.</summary>
    public int Rounds { get; init; } = 10;

    /// <summary>Codec of the pseudo-gradient each worker sends (always with its own error feedback).</summary>
    public DeltaCodecSpec Codec { get; init; } = DeltaCodecSpec.Int8Dense;

    /// <summary>Outer optimizer; DiLoCo's Nesterov lr 0.7, momentum 0.9 by default.</summary>
    public OuterOptimizerOptions Outer { get; init; } = new();

    /// <summary>
    /// Outer-lr schedule: null keeps <see cref="OuterOptimizerOptions.LearningRate"/> every round; a value makes
    /// the outer lr follow a cosine from that learning rate in round 1 to this value in round R
    /// (<see cref="OuterLearningRateAt"/>). Large outer steps help when there are few rounds and hurt when there are many.
    /// </summary>
    public float? OuterLearningRateFinal { get; init; }

    /// <summary>How each round combines the workers' deltas: the runtime's policy type, here with no outlier rule and
    /// no clipping or trimming by default (plain weighted mean); set its <see cref="AggregationPolicy.Combination"/>
    /// to measure clipping or a trimmed mean.</summary>
    public AggregationPolicy Aggregation { get; init; } = new();

    /// <summary>Dishonest workers by index and how each lies (<see cref="Byzantine.Attacker"/>); empty: all honest.</summary>
    public IReadOnlyDictionary<int, Byzantine.AttackMode> Byzantine { get; init; } = new Dictionary<int, Byzantine.AttackMode>();

    /// <summary>Judge every contribution on the workers' own held-out data and exclude those worse for a majority of
    /// their judges (<see cref="Judging"/>); null: no judging.</summary>
    public JudgeOptions? Judge { get; init; }

    public ModelSpec Model { get; init; } = ModelSpec.Cnn();

    /// <summary>Run seed: initial model, partition; worker w's batch order uses seed + w.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Inner optimizer learning rate (AdamW), the same as the centralized baseline's default.</summary>
    public double InnerLearningRate { get; init; } = 2e-3;

    public int BatchSize { get; init; } = 64;

    /// <summary>Keep at most this many training samples per worker (a deterministic subset of its shard); null = the whole shard.</summary>
    public int? SamplesPerWorker { get; init; }

    /// <summary>Evaluate θ on the test set after every this many rounds (0 = only at the end).</summary>
    public int EvalEvery { get; init; }

    public string Device { get; init; } = "cpu";

    /// <summary>Inner warm-up steps per worker; null = min(50, H·R/20), the centralized rule applied to one worker's steps.</summary>
    public int? WarmupSteps { get; init; }

    public void Validate()
    {
        if (Workers is < 1 or > MaxWorkers) throw new ArgumentException($"workers must be in 1..{MaxWorkers}, got {Workers}");
        if (InnerSteps < 1) throw new ArgumentException($"inner steps must be >= 1, got {InnerSteps}");
        if (Rounds < 1) throw new ArgumentException($"rounds must be >= 1, got {Rounds}");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be >= 1, got {BatchSize}");
        if (SamplesPerWorker is < 1) throw new ArgumentException($"samples per worker must be >= 1, got {SamplesPerWorker}");
        if (EvalEvery < 0) throw new ArgumentException($"eval-every must be >= 0, got {EvalEvery}");
        if (WarmupSteps is < 0) throw new ArgumentException($"warm-up steps must be >= 0, got {WarmupSteps}");
        if (!(InnerLearningRate > 0) || double.IsInfinity(InnerLearningRate)) throw new ArgumentException($"inner learning rate must be > 0, got {InnerLearningRate}");
        if (OuterLearningRateFinal is { } f && (!float.IsFinite(f) || f <= 0)) throw new ArgumentException($"final outer learning rate must be finite and > 0, got {f}");
        if (Byzantine.Keys.Any(w => w < 0 || w >= Workers)) throw new ArgumentException($"byzantine workers must be in 0..{Workers - 1}");
        Judge?.Validate();
        Codec.Validate();
        Outer.Validate();
        Aggregation.Validate();
        Model.Validate();
    }

    /// <summary>Outer learning rate of round r (1-based): η0 = Outer.LearningRate, ηR = OuterLearningRateFinal,
    /// η_r = ηR + (η0 − ηR)·(1 + cos(π·(r − 1)/(R − 1)))/2 computed in double and rounded to float; η0 when there is no schedule or R = 1.</summary>
    public float OuterLearningRateAt(int round)
    {
        if (round < 1 || round > Rounds) throw new ArgumentOutOfRangeException(nameof(round), $"round must be in 1..{Rounds}, got {round}");
        if (OuterLearningRateFinal is not { } final || Rounds == 1) return Outer.LearningRate;
        double start = Outer.LearningRate, t = (round - 1) / (double)(Rounds - 1);
        return (float)(final + (start - final) * (1 + Math.Cos(Math.PI * t)) / 2);
    }

    /// <summary>The inner-optimizer settings every worker uses: cosine over its own H·R steps.</summary>
    public Trainer.TrainerOptions WorkerTrainerOptions()
    {
        long steps = (long)InnerSteps * Rounds;
        return new Trainer.TrainerOptions
        {
            BatchSize = BatchSize,
            LearningRate = InnerLearningRate,
            WarmupSteps = WarmupSteps ?? (int)Math.Min(50, steps / 20),
            ScheduleSteps = steps,
            Device = Device,
        };
    }
}
