using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using P2PNode.Hashing;
using P2PNode.Identity;
using P2PNode.Ledger.Entries;
using P2PNode.Overlay;
using P2PNode.Transfer;

namespace P2PNode.Training.Runtime;

/// <summary>
/// One node of a training run with no coordinator (docs/runtime.md). Two threads:
/// <list type="bullet">
/// <item>the training thread (.Train) runs H inner steps per round, encodes the pseudo-gradient with error
/// feedback, records it in the ledger and broadcasts it, then goes straight on with the next round; it takes in
/// the previous round's result between chunks of steps (a rebase), so communication overlaps computation;</item>
/// <item>the round thread (.Rounds) closes each round on a quorum of the active nodes or a deadline that follows
/// the measured pace, aggregates what arrived (late contributions fold into the next round), applies the outer
/// optimizer, records the Aggregation entry and saves the node's state.</item>
/// </list>
/// Messages from peers arrive through <see cref="Validate"/> (the overlay's validator for the run topic).
/// </summary>
public sealed partial class TrainingNode : IGossipValidator, IDisposable
{
    private readonly RunContext _ctx;
    private readonly RunSpec _spec;
    private readonly RoundBook _book;
    private readonly PeerId _self;
    private readonly string _statePath;
    private readonly Digest256 _initialModel;
    private readonly Lock _gate = new();
    private readonly Dictionary<PeerId, long> _lastSeen = [];
    private readonly Dictionary<ulong, RoundResult> _results = [];
    private readonly HashSet<(ulong Round, Digest256 Hash)> _announcedBases = [];
    private readonly Dictionary<PeerId, RunStatus> _peerStatus = [];
    private readonly TimeProvider _time;
    private readonly long _started;
    // The two threads sleep on these until something they wait for happens (docs/runtime.md §5, "Threads").
    private readonly Wakeup _roundWake;
    private readonly Wakeup _trainWake;
    private readonly CancellationTokenSource _stop = new();
    private float[]? _residualSnapshot;
    private long _stepsDone;
    private ulong _statusRound;
    private Digest256 _statusHash;
    private float[] _statusSketch = [];
    private ObjectId _statusObject;
    private ObjectId _statusMomentum;
    private Exception? _failure;

    public TrainingNode(RunContext ctx)
    {
        _ctx = ctx;
        _spec = ctx.Spec;
        _book = new RoundBook(ctx.Run, ctx.Spec.CloseRules());
        _self = ctx.Identity.PeerId;
        _statePath = Path.Combine(ctx.DataDir, "state.bin");
        _initialModel = ModelDigest(ctx.InitialModel);
        _statusHash = _initialModel;
        _time = ctx.Time;
        _started = _time.GetTimestamp();
        _roundWake = new Wakeup(_time);
        _trainWake = new Wakeup(_time);
    }

    /// <summary>Milliseconds since this node started, on its clock.</summary>
    private long NowMs => (long)_time.GetElapsedTime(_started).TotalMilliseconds;

    /// <summary>Sleeps the round thread until <paramref name="wakeMs"/> (on <see cref="NowMs"/>'s scale) or an event.</summary>
    private void RoundWait(double wakeMs) => _roundWake.Wait(Until(wakeMs), _stop.Token);

    private TimeSpan? Until(double wakeMs) => double.IsPositiveInfinity(wakeMs) ? null : TimeSpan.FromMilliseconds(Math.Max(0, wakeMs - NowMs));

    /// <summary>A peer's message may change what either thread waits for.</summary>
    private void WakeBoth()
    {
        _roundWake.Pulse();
        _trainWake.Pulse();
    }

    /// <summary>Frees the stop signal; call once <see cref="RunAsync"/> has returned.</summary>
    public void Dispose() => _stop.Dispose();

    /// <summary>Another node's message was refused (author, reason code of <see cref="Refusals"/>); peer scoring
    /// attaches here and scores the offences among them.</summary>
    public event Action<PeerId, string>? ContributionRejected;

    /// <summary>Rounds aggregated by this node so far.</summary>
    public ulong RoundsDone => _book.OpenRound;

    /// <summary>Trains and aggregates until the run's last round is aggregated or <paramref name="ct"/> fires.</summary>
    /// <remarks>Statuses keep going out after the run ends, until <paramref name="ct"/> fires (see <see cref="Serving"/>):
    /// a node that restarts late, or joins after the end, learns from them where the run is and catches up.</remarks>
    public async Task RunAsync(CancellationToken ct)
    {
        using var link = ct.Register(_stop.Cancel);
        Serving = StatusLoopAsync(ct);
        var train = StartThread(TrainLoop, "training");
        var rounds = StartThread(RoundLoop, "rounds");
        await Task.WhenAll(train, rounds).ConfigureAwait(false);
        _stop.Cancel();
        if (_failure is not null) throw new InvalidOperationException($"training node failed: {_failure.Message}", _failure);
    }

    /// <summary>CPU seconds each of the node's own threads ("training", "rounds") used, once it has ended: the rest of
    /// the process's CPU time is the network side (overlay, transport, validation, ledger sync) and the runtime's.</summary>
    public IReadOnlyDictionary<string, double> ThreadCpuSeconds => _threadCpu;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, double> _threadCpu = new(StringComparer.Ordinal);

    /// <summary>The status broadcasts, which outlive <see cref="RunAsync"/> until its token fires.</summary>
    public Task Serving { get; private set; } = Task.CompletedTask;

    private Task StartThread(Action body, string name)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try { body(); }
            catch (OperationCanceledException) { }
            catch (Exception e)
            {
                _failure ??= e;
                _ctx.Log.ThreadFailed(e, name);
                _stop.Cancel();
            }
            finally
            {
                if (P2PNode.Metrics.ProcessCpu.CurrentThreadSeconds() is { } cpu) _threadCpu[name] = cpu;
                done.SetResult();
            }
        }) { IsBackground = true, Name = name };
        thread.Start();
        return done.Task;
    }

    /// <summary>Overlay validator for the run topic: verifies and files contributions, records statuses.</summary>
    public ValidationResult Validate(GossipDelivery message)
    {
        var origin = message.Origin;
        try
        {
            switch (RunMessage.KindOf(message.Payload))
            {
                case RunMessage.ContributionKind:
                    return OnContribution(origin, message.Prepared switch
                    {
                        DecodedContribution d => d,
                        InvalidDataException e => throw new InvalidDataException(e.Message, e),
                        _ => DecodedContribution.Of(message.Payload),
                    });
                case RunMessage.StatusKind:
                    var status = RunMessage.DecodeStatus(message.Payload);
                    if (status.Sketch.Length is not (0 or ModelSketch.Size)) throw new InvalidDataException($"status sketch has {status.Sketch.Length} values, expected {ModelSketch.Size} (or 0: none yet)");
                    lock (_gate)
                    {
                        _lastSeen[origin] = NowMs;
                        _announcedBases.Add((status.Round, status.ModelHash));
                        _peerStatus[origin] = status;
                    }
                    WakeBoth();
                    return ValidationResult.Accept;
                case RunMessage.JudgementsKind:
                    return OnJudgements(origin, message.Prepared switch
                    {
                        DecodedJudgements d => d,
                        InvalidDataException e => throw new InvalidDataException(e.Message, e),
                        _ => DecodedJudgements.Of(message.Payload),
                    });
                default:
                    throw new InvalidDataException($"unknown training message kind {message.Payload[1]}");
            }
        }
        catch (InvalidDataException e)
        {
            Reject(origin, "malformed", e.Message);
            return ValidationResult.Reject;
        }
    }

    /// <summary>The stateless checks of a contribution (decoding, the entry's signature, the delta's hash) or of a
    /// Judgements message (decoding, every attestation's signature), run by the overlay before it takes its lock; <see cref="Validate"/> takes the result (or the reason it failed) from there.</summary>
    public object? Prepare(string topic, PeerId origin, byte[] payload)
    {
        try
        {
            return RunMessage.KindOf(payload) switch
            {
                RunMessage.ContributionKind => DecodedContribution.Of(payload),
                RunMessage.JudgementsKind => DecodedJudgements.Of(payload), // up to 1024 signatures: outside the lock too
                _ => null,
            };
        }
        catch (InvalidDataException e) { return e; }
    }

    private sealed record DecodedContribution(SignedEntry Entry, ContributionBody Body, ArraySegment<byte> Delta)
    {
        public static DecodedContribution Of(byte[] payload)
        {
            var (entry, body, delta) = RunMessage.DecodeContribution(payload);
            return new DecodedContribution(entry, body, delta);
        }
    }

    private ValidationResult OnContribution(PeerId origin, DecodedContribution decoded)
    {
        var (entry, body, delta) = decoded;
        var c = new ReceivedContribution(entry, body, delta);
        if (c.Author != origin)
        {
            Reject(origin, "not_author", "contribution entry is signed by another key than the message's origin");
            return ValidationResult.Reject;
        }
        // The author's signed ledger entry: kept for the ledger (stored once it continues the author's held log), so
        // replication does not fetch it a second time. Whatever the round rules say below, the entry itself is valid.
        _ctx.KeepEntry?.Invoke(entry);
        var result = _book.Offer(c);
        switch (result)
        {
            case OfferResult.Accepted:
                lock (_gate) _lastSeen[origin] = NowMs;
                _ctx.Metrics.Increment("training_contributions_received");
                _roundWake.Pulse();
                return ValidationResult.Accept;
            case OfferResult.Duplicate:
                _ctx.Metrics.Increment("training_contributions_duplicate");
                return ValidationResult.Ignore;
            case OfferResult.WrongRun:
                Reject(origin, "wrong_run", "contribution of another run");
                return ValidationResult.Reject;
            case OfferResult.Equivocation:
                Reject(origin, "equivocation", $"a second, different contribution for round {c.Round}");
                return ValidationResult.Reject;
            default:
                _ctx.Metrics.Increment("training_contributions_out_of_window");
                _ctx.Log.OutOfWindow(origin, c.Round, _book.OpenRound);
                return ValidationResult.Ignore;
        }
    }

    /// <summary>Counts and logs a refusal and raises <see cref="ContributionRejected"/>, except for this node's own
    /// contribution (refused after a repair or restart moved its base): a node never reports itself. Whether the
    /// sender is punished is <see cref="Refusals"/>' business: a round-rule refusal is logged as information.</summary>
    private void Reject(PeerId author, string reason, string detail)
    {
        var offence = Refusals.Of(reason).Offence;
        _ctx.Metrics.Increment("training_contributions_rejected_" + reason);
        if (author == _self)
        {
            _ctx.Metrics.Increment("training_own_contributions_refused");
            _ctx.Log.OwnContributionRefused(reason, detail);
            return;
        }
        if (offence) _ctx.Log.Offence(author, reason, detail);
        else _ctx.Log.RoundRuleRefusal(author, reason, detail);
        ContributionRejected?.Invoke(author, reason);
    }

    /// <summary>Nodes heard from within the liveness window (this node included).</summary>
    public int ActiveMembers()
    {
        var window = _book.ActiveWindowMs;
        var now = NowMs;
        lock (_gate) return 1 + _lastSeen.Count(kv => kv.Key != _self && now - kv.Value <= window);
    }

    private async Task StatusLoopAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                // Each aggregation publishes a Status too: the periodic one only fills gaps (a slow round, a node
                // that finished), since every Status reaches every node and 8 nodes' statuses every second were a
                // fifth of a node's bytes with top-2% deltas. So it sleeps until the interval since the last one ends.
                var due = Interlocked.Read(ref _lastStatusMs) + StatusIntervalMs - NowMs;
                if (due <= 0) PublishStatus();
                else await Task.Delay(TimeSpan.FromMilliseconds(due), _time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>The longest a node goes without publishing a Status (docs/runtime.md §2).</summary>
    internal const long StatusIntervalMs = 2500;

    private long _lastStatusMs = long.MinValue / 2;

    /// <summary>Under <see cref="_gate"/>: what this node's Status announces from now on (null object ids: unchanged;
    /// <paramref name="momentumId"/> serves the outer optimizer state that goes with the model, docs/runtime.md §6).
    /// The base is also remembered as announced: this node's own contributions start from it, and refusing them as
    /// wrong_base after a repair moved its model was a node refusing itself (issue 11).</summary>
    private void Announce(ulong round, Digest256 hash, ObjectId? objectId, ObjectId? momentumId = null)
    {
        (_statusRound, _statusHash) = (round, hash);
        if (objectId is { } o) _statusObject = o;
        if (momentumId is { } m) _statusMomentum = m;
        _announcedBases.Add((round, hash));
    }

    private void PublishStatus()
    {
        Interlocked.Exchange(ref _lastStatusMs, NowMs);
        byte[] message;
        lock (_gate) message = RunMessage.EncodeStatus(new RunStatus(_statusRound, _statusHash, _statusObject, _statusSketch, _statusMomentum));
        try { _ctx.Publish(message); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            _ctx.Log.StatusFailed(e.Message);
        }
    }

    /// <summary>A model hash from the ledger, a checkpoint or <see cref="P2PNode.Training.State.ModelHasher"/> (32 bytes).</summary>
    private static Digest256 ModelDigest(byte[] hash) => Digest256.FromBytes(hash, "a model hash");

    /// <summary>The first 16 hex digits of a model hash: what progress lines ("model") and log lines print.</summary>
    private static string Short(Digest256 hash) => hash.ToString()[..16];

    /// <summary>Writes the node's checkpoint (<see cref="NodeState"/>, which keeps the hash as its 32 bytes).</summary>
    private void SaveState(ulong round, Digest256 hash, float[] model, byte[] outerState, float[] residual) =>
        new NodeState(round, hash.ToBytes(), model, outerState, residual, Interlocked.Read(ref _stepsDone)).Save(_statePath);

    private void Report(string kind, JsonObject fields)
    {
        if (_ctx.Progress is null) return;
        var line = new JsonObject { ["event"] = kind, ["node"] = _self.ToString(), ["t"] = Math.Round(_time.GetElapsedTime(_started).TotalSeconds, 3) };
        foreach (var (key, value) in fields.ToList())
        {
            fields.Remove(key);
            line[key] = value;
        }
        _ctx.Progress(line);
    }
}
