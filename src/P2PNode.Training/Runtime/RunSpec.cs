using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PNode.Aggregation;
using P2PNode.Compression;
using P2PNode.Training.Models;
using P2PNode.Training.Simulation;
using P2PNode.Training.Trainer;

namespace P2PNode.Training.Runtime;

/// <summary>
/// Everything every node of a run must agree on, fixed by the run's creator and recorded as the JSON
/// `hyperparameters` of the RunGenesis ledger entry (so the run id, the genesis entry hash, commits to it).
/// Nodes read it from the genesis they fetched from peers; nothing here is taken from a local file.
/// </summary>
public sealed record RunSpec
{
    public string Model { get; init; } = "cnn";
    /// <summary>The language model's shape and tokenizer (JSON "lm"); null with Model "lm" is the legacy lm/v1 byte model.</summary>
    public ModelSpec? Lm { get; init; }
    public long Seed { get; init; } = 1;
    /// <summary>H: inner AdamW steps per round.</summary>
    public int InnerSteps { get; init; } = 20;
    /// <summary>Rounds the run lasts (round numbers 0..Rounds-1).</summary>
    public int Rounds { get; init; } = 20;
    public string Codec { get; init; } = "topk:0.1+int8/64";
    public double OuterLearningRate { get; init; } = 1.0;
    public double OuterMomentum { get; init; } = 0.5;
    public double InnerLearningRate { get; init; } = 2e-3;
    public int BatchSize { get; init; } = 64;
    /// <summary>A round closes once this fraction of the active nodes has contributed (or at the deadline).</summary>
    public double Quorum { get; init; } = 1.0;
    /// <summary>Deadline after the node's own contribution, as a multiple of its measured round compute time.</summary>
    public double DeadlineFactor { get; init; } = 2.0;
    /// <summary>Floor of that deadline in milliseconds (loopback rounds can be very short).</summary>
    public int MinDeadlineMs { get; init; } = 5000;
    /// <summary>Nodes must see this many members (themselves included) before round 0 starts.</summary>
    public int MinNodes { get; init; } = 1;
    /// <summary>Contributions whose L2 norm exceeds this multiple of the round's (lower) median norm are refused.</summary>
    public double NormOutlierMultiple { get; init; } = 10;
    /// <summary>Clip each contribution to this multiple of the round's median norm (null: off). On by default for new
    /// runs: free when all are honest, and it bounds a lie that scales an honest delta (docs/robustness.md). A genesis
    /// written before it existed reads as off.</summary>
    public double? ClipMedianMultiple { get; init; } = 2.0;
    /// <summary>No contribution weighs more than the samples a round can hold (inner_steps × batch_size), whatever it
    /// claims. On by default for new runs; a genesis written before it existed reads as off.</summary>
    public bool CapSamples { get; init; } = true;
    /// <summary>Held-out samples of its own on which each node judges every contribution of a round (docs/runtime.md §3a;
    /// 0 = no judging). A genesis written before it existed reads as 0.</summary>
    public int JudgeSamples { get; init; }
    /// <summary>Refuse a contribution whose cosine with the rest of its round is under this (null: off; docs/runtime.md
    /// §3 step 7, docs/robustness.md). Off by default: its margin on sparse deltas is thin.</summary>
    public double? MinCosine { get; init; }
    /// <summary>Refuse every contribution of a near-identical pair (cosine at or over this; null: off; docs/robustness.md).</summary>
    public double? MaxPairCosine { get; init; }
    /// <summary>The step a judge applies a contribution at: loss of θ − judge_step × Δ (docs/runtime.md §3a).</summary>
    public double JudgeStep { get; init; } = DefaultJudgeStep;
    public const double DefaultJudgeStep = 1.0;
    /// <summary>Test samples each node scores the shared model on after each round (0 = none).</summary>
    public int EvalSamples { get; init; } = 1000;
    /// <summary>True: a node trains round r+1 while round r closes and takes its result in between steps (up to a
    /// chunk of steps start from the stale model). False: it waits for round r's result before training r+1
    /// (synchronous DiLoCo: no stale steps, but the wait for the slowest node is idle time).</summary>
    public bool Overlap { get; init; } = true;

    public ModelSpec ModelSpec() => Model == "lm" && Lm is not null ? Lm : Models.ModelSpec.ForName(Model);

    public DeltaCodecSpec CodecSpec() => DeltaCodecSpec.Parse(Codec);

    public OuterOptimizerOptions Outer() => new OuterOptimizerOptions() with
    {
        LearningRate = (float)OuterLearningRate,
        Momentum = (float)OuterMomentum,
    };

    /// <summary>The round's aggregation: norm outliers refused, the rest clipped to clip_median_multiple × the median
    /// norm and averaged by samples capped at inner_steps × batch_size (each when the run has it), never trimmed
    /// (a coordinate-wise trimmed mean deletes sparse deltas, docs/robustness.md).</summary>
    public AggregationPolicy Policy() => new()
    {
        NormOutlierMultiple = NormOutlierMultiple,
        MinCosineToOthers = MinCosine,
        MaxPairCosine = MaxPairCosine,
        Combination = new AggregationOptions
        {
            MedianNormMultiple = ClipMedianMultiple,
            MaxSamples = CapSamples ? (long)InnerSteps * BatchSize : null,
        },
    };

    /// <summary>When a round closes: quorum, deadline_factor and min_deadline_ms (docs/runtime.md §3 step 6).</summary>
    public P2PNode.Rounds.RoundRules CloseRules() => new() { Quorum = Quorum, DeadlineFactor = DeadlineFactor, MinDeadlineMs = MinDeadlineMs };


    /// <summary>Inner optimizer of every node: warm-up then cosine over the run's planned steps.</summary>
    public TrainerOptions Trainer(string device) => new()
    {
        // The byte-level transformer wants the steadier Adam β2 and clipped gradients (docs/training.md).
        Beta2 = Model == "lm" ? 0.95 : 0.999,
        GradientClip = Model == "lm" ? 1.0 : null,
        BatchSize = BatchSize,
        LearningRate = InnerLearningRate,
        WarmupSteps = (int)Math.Min(50, (long)InnerSteps * Rounds / 20),
        ScheduleSteps = (long)InnerSteps * Rounds,
        Device = device,
        MaxEvalSamples = EvalSamples > 0 ? EvalSamples : null,
        // A window of the LM is `context` positions with V logits each: 500 of them at once held over a gigabyte of
        // activations per node (8 nodes on one machine); 32 keeps evaluation's peak near training's.
        EvalBatchSize = Model == "lm" ? 32 : 500,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (Lm is not null && (Model != "lm" || Lm.Kind != ModelKind.Lm)) throw new ArgumentException("lm settings are given but the model is not lm");
        ModelSpec().Validate();
        try { CodecSpec().Validate(); }
        catch (Exception e) when (e is ArgumentException or FormatException) { throw new ArgumentException($"codec: {e.Message}"); }
        if (!(OuterLearningRate > 0) || double.IsInfinity(OuterLearningRate)) throw new ArgumentException($"outer_lr must be > 0, got {OuterLearningRate}");
        if (!(OuterMomentum >= 0 && OuterMomentum < 1)) throw new ArgumentException($"outer_momentum must be in [0, 1), got {OuterMomentum}");
        if (!(NormOutlierMultiple > 1) || double.IsInfinity(NormOutlierMultiple)) throw new ArgumentException($"norm_outlier_multiple must be > 1, got {NormOutlierMultiple}");
        if (ClipMedianMultiple is { } clip && !(clip >= 1 && double.IsFinite(clip))) throw new ArgumentException($"clip_median_multiple must be >= 1 or null, got {clip}");
        Outer().Validate();
        if (InnerSteps < 1) throw new ArgumentException($"inner_steps must be >= 1, got {InnerSteps}");
        if (Rounds < 1) throw new ArgumentException($"rounds must be >= 1, got {Rounds}");
        if (BatchSize < 1) throw new ArgumentException($"batch_size must be >= 1, got {BatchSize}");
        if (!(InnerLearningRate > 0) || double.IsInfinity(InnerLearningRate)) throw new ArgumentException($"inner_lr must be > 0, got {InnerLearningRate}");
        if (!(Quorum > 0 && Quorum <= 1)) throw new ArgumentException($"quorum must be in (0, 1], got {Quorum}");
        if (!(DeadlineFactor > 0) || double.IsInfinity(DeadlineFactor)) throw new ArgumentException($"deadline_factor must be > 0, got {DeadlineFactor}");
        if (MinDeadlineMs < 0) throw new ArgumentException($"min_deadline_ms must be >= 0, got {MinDeadlineMs}");
        if (MinNodes < 1) throw new ArgumentException($"min_nodes must be >= 1, got {MinNodes}");
        if (MaxPairCosine is { } pair && !(pair > 0 && pair <= 1)) throw new ArgumentException($"max_pair_cosine must be in (0, 1] or null, got {pair}");
        if (MinCosine is { } cos && !(cos >= -1 && cos <= 1)) throw new ArgumentException($"min_cosine must be in [-1, 1] or null, got {cos}");
        if (JudgeSamples is < 0 or > MaxJudgeSamples) throw new ArgumentException($"judge_samples must be in [0, {MaxJudgeSamples}], got {JudgeSamples}");
        if (!(JudgeStep > 0 && JudgeStep <= 1)) throw new ArgumentException($"judge_step must be in (0, 1], got {JudgeStep}");
        if (EvalSamples < 0) throw new ArgumentException($"eval_samples must be >= 0, got {EvalSamples}");
    }

    /// <summary>Canonical JSON (fixed key order, invariant numbers): the genesis hyperparameters text.</summary>
    public string ToJson()
    {
        var o = new JsonObject { ["model"] = Model };
        if (Lm is not null) o["lm"] = LmJson.Write(Lm); // absent for cnn, mlp and the legacy lm/v1: their genesis text is unchanged
        foreach (var (key, value) in Fields()) o[key] = value?.DeepClone();
        return o.ToJsonString();
    }

    private JsonObject Fields() => new()
    {
        ["seed"] = Seed, ["inner_steps"] = InnerSteps, ["rounds"] = Rounds, ["codec"] = Codec,
        ["outer_lr"] = OuterLearningRate, ["outer_momentum"] = OuterMomentum, ["inner_lr"] = InnerLearningRate,
        ["batch_size"] = BatchSize, ["quorum"] = Quorum, ["deadline_factor"] = DeadlineFactor,
        ["min_deadline_ms"] = MinDeadlineMs, ["min_nodes"] = MinNodes, ["norm_outlier_multiple"] = NormOutlierMultiple,
        ["eval_samples"] = EvalSamples, ["overlap"] = Overlap,
        ["clip_median_multiple"] = ClipMedianMultiple, ["cap_samples"] = CapSamples, ["judge_samples"] = JudgeSamples,
        ["judge_step"] = JudgeStep, ["min_cosine"] = MinCosine,
        ["max_pair_cosine"] = MaxPairCosine,
    };

    /// <summary>Judging costs every node one forward pass per contribution over this many samples, twice.</summary>
    public const int MaxJudgeSamples = 100_000;

    /// <summary>Parses genesis hyperparameters; unknown or mistyped fields are an <see cref="ArgumentException"/>.</summary>
    public static RunSpec FromJson(string json)
    {
        JsonObject o;
        try { o = JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("run hyperparameters are not a JSON object"); }
        catch (JsonException e) { throw new ArgumentException($"run hyperparameters are not valid JSON: {e.Message}"); }
        // Defences a genesis does not name were off when it was written: it keeps meaning what it meant.
        var spec = new RunSpec { ClipMedianMultiple = null, CapSamples = false };
        foreach (var (key, value) in o)
        {
            try
            {
                spec = key switch
                {
                    "model" => spec with { Model = value!.GetValue<string>() },
                    "lm" => spec with { Lm = LmJson.Read(value as JsonObject ?? throw new InvalidOperationException()) },
                    "seed" => spec with { Seed = value!.GetValue<long>() },
                    "inner_steps" => spec with { InnerSteps = value!.GetValue<int>() },
                    "rounds" => spec with { Rounds = value!.GetValue<int>() },
                    "codec" => spec with { Codec = value!.GetValue<string>() },
                    "outer_lr" => spec with { OuterLearningRate = value!.GetValue<double>() },
                    "outer_momentum" => spec with { OuterMomentum = value!.GetValue<double>() },
                    "inner_lr" => spec with { InnerLearningRate = value!.GetValue<double>() },
                    "batch_size" => spec with { BatchSize = value!.GetValue<int>() },
                    "quorum" => spec with { Quorum = value!.GetValue<double>() },
                    "deadline_factor" => spec with { DeadlineFactor = value!.GetValue<double>() },
                    "min_deadline_ms" => spec with { MinDeadlineMs = value!.GetValue<int>() },
                    "min_nodes" => spec with { MinNodes = value!.GetValue<int>() },
                    "norm_outlier_multiple" => spec with { NormOutlierMultiple = value!.GetValue<double>() },
                    "eval_samples" => spec with { EvalSamples = value!.GetValue<int>() },
                    "overlap" => spec with { Overlap = value!.GetValue<bool>() },
                    "clip_median_multiple" => spec with { ClipMedianMultiple = value?.GetValue<double>() },
                    "cap_samples" => spec with { CapSamples = value!.GetValue<bool>() },
                    "judge_samples" => spec with { JudgeSamples = value!.GetValue<int>() },
                    "judge_step" => spec with { JudgeStep = value!.GetValue<double>() },
                    "min_cosine" => spec with { MinCosine = value?.GetValue<double>() },
                    "max_pair_cosine" => spec with { MaxPairCosine = value?.GetValue<double>() },
                    _ => throw new ArgumentException($"run hyperparameters: unknown field '{key}'"),
                };
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
            {
                throw new ArgumentException($"run hyperparameters: field '{key}' has the wrong type");
            }
        }
        try { spec.Validate(); }
        catch (FormatException e) { throw new ArgumentException($"run hyperparameters: {e.Message}"); }
        return spec;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Model}, H={InnerSteps}, R={Rounds}, codec {Codec}, outer lr {OuterLearningRate} momentum {OuterMomentum}, quorum {Quorum}{(Overlap ? "" : ", no overlap")}, clip {(ClipMedianMultiple is { } c ? c + "x median" : "off")}{(CapSamples ? ", samples capped" : "")}{(JudgeSamples > 0 ? $", judged on {JudgeSamples} samples" : "")}");
}
