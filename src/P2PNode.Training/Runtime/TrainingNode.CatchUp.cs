using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using P2PNode.Training.State;

namespace P2PNode.Training.Runtime;

public sealed partial class TrainingNode
{
    private const int CatchUpLag = 2;
    private long _nextCatchUpMs;
    private Adoption? _adoption;

    /// <summary>A model taken from peers: the base of round <see cref="Round"/>.</summary>
    private sealed record Adoption(ulong Round, float[] Model, byte[] Hash);

    /// <summary>
    /// A node that is <see cref="CatchUpLag"/> or more rounds behind the most advanced peers (a newcomer, or a
    /// node restarted after a crash) stops replaying old rounds alone: it fetches the model those peers hold,
    /// in verified chunks from all of them, checks its hash against what they announced, and continues from
    /// their round. Returns the adopted model, or null.
    /// </summary>
    private Adoption? TryCatchUp(string canonical, ParameterLayout layout)
    {
        if (_ctx.Exchange is null || _clock.ElapsedMilliseconds < _nextCatchUpMs) return null;
        _nextCatchUpMs = _clock.ElapsedMilliseconds + 2000;
        var open = _book.OpenRound;
        List<(string Peer, RunStatus Status)> ahead;
        lock (_gate) ahead = _peerStatus.Where(kv => kv.Value.Serves && kv.Value.Round >= open + CatchUpLag).Select(kv => (kv.Key, kv.Value)).ToList();
        if (ahead.Count == 0) return null;
        // The model most peers at the highest round hold.
        var target = ahead.GroupBy(a => (a.Status.Round, Hash: Convert.ToHexStringLower(a.Status.ModelHash), Object: Convert.ToHexStringLower(a.Status.ObjectId)))
            .OrderByDescending(g => g.Key.Round).ThenByDescending(g => g.Count()).First();
        var peers = target.Select(a => a.Peer).ToList();
        _ctx.Log.LogInformation("{Behind} rounds behind: fetching the round {Round} model {Hash} from {Peers} peer(s)",
            target.Key.Round - open, target.Key.Round, target.Key.Hash[..16], peers.Count);
        byte[]? bytes;
        try { bytes = _ctx.Exchange.FetchAsync(Convert.FromHexString(target.Key.Object), peers, _stop.Token).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
        {
            _ctx.Log.LogWarning("model fetch failed: {Reason}", e.Message);
            return null;
        }
        var n = checked((int)layout.Total);
        if (bytes is null || bytes.Length != 4 * n)
        {
            _ctx.Metrics.Increment("training_catch_up_failed");
            _ctx.Log.LogWarning("model fetch gave {Size} bytes, expected {Expected}", bytes?.Length ?? 0, 4 * n);
            return null;
        }
        var model = new float[n];
        for (var i = 0; i < n; i++) model[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i));
        var hash = ModelHasher.Compute(canonical, layout, model);
        if (Convert.ToHexStringLower(hash) != target.Key.Hash)
        {
            _ctx.Metrics.Increment("training_catch_up_failed");
            _ctx.Log.LogWarning("fetched model hashes to {Got}, peers announced {Want}: discarded", Convert.ToHexStringLower(hash)[..16], target.Key.Hash[..16]);
            return null;
        }
        var adoption = new Adoption(target.Key.Round, model, hash);
        _book.Reset(adoption.Round);
        float[] residual;
        lock (_gate)
        {
            _adoption = adoption;
            (_statusRound, _statusHash) = (adoption.Round, hash);
            residual = _residualSnapshot ?? new float[n];
        }
        new NodeState(adoption.Round, hash, model, [], residual, Interlocked.Read(ref _stepsDone)).Save(_statePath);
        _ctx.Metrics.Increment("training_catch_ups");
        Report("caught_up", new JsonObject { ["from_round"] = open, ["round"] = adoption.Round, ["model"] = target.Key.Hash[..16], ["peers"] = peers.Count });
        return adoption;
    }

    /// <summary>The training thread's side: an adopted model for a later round replaces the current one.</summary>
    private Adoption? TakeAdoption(ulong round)
    {
        lock (_gate)
        {
            var a = _adoption;
            _adoption = null;
            return a is not null && a.Round > round ? a : null;
        }
    }

    /// <summary>The model as the object peers fetch: float32 little-endian, in layout order.</summary>
    private static byte[] ModelBytes(float[] model)
    {
        var bytes = new byte[4 * model.Length];
        for (var i = 0; i < model.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), model[i]);
        return bytes;
    }
}
