using System.Text.Json.Nodes;

namespace P2PNode.Cli.Swarm;

/// <summary>What the swarm knows about one node, from its progress events.</summary>
internal sealed class NodeTally(int index, int nodes = 0)
{
    public int Index { get; } = index;
    public int Starts { get; set; }
    public bool Killed { get; set; }
    public bool Done { get; private set; }
    /// <summary>The reason of the last 'failed' event of the current process (cleared when the swarm restarts it).</summary>
    public string? Failed { get; set; }
    /// <summary>Every failure of this node (round, exit code, reason), for the report.</summary>
    public List<JsonObject> Failures { get; } = [];
    public int LastRound { get; private set; } = -1;
    public string Model { get; private set; } = "";
    public double ConsensusDistance { get; private set; }
    public Dictionary<int, double> Accuracy { get; } = [];
    /// <summary>Language models: the shared model's bits per byte on this node's held-out text, by round.</summary>
    public Dictionary<int, double> BitsPerByte { get; } = [];
    /// <summary>Where each round's time went on this node (seconds): compute, encode, contribute (ledger append and
    /// broadcast), aggregate, ledger (Aggregation entry and state file), transfer (slowest arrival), by round.</summary>
    public Dictionary<int, JsonObject> Timings { get; } = [];
    public long? PeakRssBytes { get; private set; }
    /// <summary>The final model's accuracy on the whole test set.</summary>
    public double FinalAccuracy { get; private set; } = double.NaN;
    /// <summary>Language models: the final model's bits per byte on this node's held-out text.</summary>
    public double FinalBitsPerByte { get; private set; } = double.NaN;
    public long BytesSent { get; private set; }
    public long PublishedBytes { get; private set; }
    public long Samples { get; private set; }
    public double TrainSeconds { get; private set; }
    public double WaitSeconds { get; private set; }
    public int LateUsed { get; private set; }
    /// <summary>The last round this node contributed to (trained with contributed = true; -1: none yet).</summary>
    public int LastContributed { get; private set; } = -1;
    /// <summary>Swarm clock seconds of that contribution's event (set by the swarm when it takes the event).</summary>
    public double LastContributedAt { get; set; }
    /// <summary>Rounds this node closed with fewer contributors than the swarm has nodes (not counting adopted ones).</summary>
    public List<int> ShortRounds { get; } = [];
    public int Adopted { get; private set; }
    public int Rejected { get; private set; }

    /// <summary>Bytes sent by earlier incarnations of the node (before a SIGKILL), so totals survive restarts.</summary>
    private long _bytesBefore, _publishedBefore;

    public void Take(JsonObject e)
    {
        switch ((string?)e["event"])
        {
            case "resumed":
                _bytesBefore = BytesSent;
                _publishedBefore = PublishedBytes;
                break;
            case "trained":
                Timing((int)e["round"]!, e, "compute_s", "encode_s", "contribute_s", "wait_s");
                Samples += (long)e["samples"]!;
                TrainSeconds += (double)e["compute_s"]!;
                if (e["contributed"] is { } c && (bool)c) LastContributed = Math.Max(LastContributed, (int)e["round"]!);
                WaitSeconds += (double)e["wait_s"]!;
                break;
            case "round":
                var r = (int)e["round"]!;
                LastRound = Math.Max(LastRound, r);
                Model = (string)e["model"]!;
                ConsensusDistance = (double)e["consensus_distance"]!;
                if (e["accuracy"] is { } acc) Accuracy[r] = (double)acc;
                if (e["bits_per_byte"] is { } bits) BitsPerByte[r] = (double)bits;
                Timing(r, e, "aggregate_s", "ledger_s", "transfer_s");
                if (e["final_accuracy"] is { } final) FinalAccuracy = (double)final;
                if (e["final_bits_per_byte"] is { } bpb) FinalBitsPerByte = (double)bpb;
                BytesSent = _bytesBefore + (long)e["bytes_sent"]!;
                PublishedBytes = _publishedBefore + (long)e["published_bytes"]!;
                LateUsed += (int)e["late"]!;
                if (e["adopted"] is { } adopted && (bool)adopted) Adopted++;
                else if (e["repaired"] is null && nodes > 0 && (int)e["contributors"]! < nodes) ShortRounds.Add(r);
                Rejected += (int)e["rejected"]!;
                break;
            case "done":
                Done = true;
                if (e["peak_rss_bytes"] is { } rss) PeakRssBytes = Math.Max(PeakRssBytes ?? 0, (long)rss);
                BytesSent = _bytesBefore + (long)e["bytes_sent"]!;
                PublishedBytes = _publishedBefore + (long)e["published_bytes"]!;
                break;
            case "failed":
                Failed = (string?)e["reason"] ?? "unknown";
                break;
        }
    }

    private void Timing(int round, JsonObject e, params string[] keys)
    {
        if (!Timings.TryGetValue(round, out var t)) Timings[round] = t = new JsonObject { ["round"] = round };
        foreach (var k in keys)
            if (e[k] is { } v) t[k] = (double)v;
    }

    /// <summary>Training samples per second of wall time in the training thread (waits included).</summary>
    public double Throughput => Samples / Math.Max(1e-9, TrainSeconds + WaitSeconds);
}
