using System.Globalization;
using P2PNode.Training.Byzantine;
using P2PNode.Training.Participation;
using P2PNode.Training.Simulation;

namespace P2PNode.Cli.Commands;

/// <summary>The training flags of `p2pnode run --run ID [--shard I/N] [--split S] [--data DIR] [--exit-when-done]` (<see cref="TrainingRunOptions"/>).</summary>
internal static class TrainingFlags
{
    public static TrainingRunOptions? Read(Args a)
    {
        var run = a.Get("run");
        var shard = a.Get("shard");
        var split = a.Get("split");
        var data = a.Get("data");
        var exit = a.Flag("exit-when-done");
        var name = a.Get("name");
        var corpus = a.Get("corpus");
        var failAt = a.GetInt("fail-at-round", 0);
        var lm = LmDataFlags.Read(a);
        var byzantine = a.Get("byzantine");
        if (run is null)
        {
            if (shard is not null || split is not null || data is not null || exit || name is not null || corpus is not null || failAt is not null || lm is not null || byzantine is not null)
                throw new UsageException("--shard, --split, --data, --corpus (and the other corpus flags), --name, --byzantine and --exit-when-done need --run <run id>");
            return null;
        }
        byte[] id;
        try { id = Convert.FromHexString(run); }
        catch (FormatException) { throw new UsageException($"--run must be a run id (64 hex digits), got '{run}'"); }
        if (id.Length != 32) throw new UsageException($"--run must be a run id (64 hex digits), got {run.Length} characters");
        var (index, count) = (0, 1);
        if (shard is not null)
        {
            var parts = shard.Split('/');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out index)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || index >= count)
                throw new UsageException($"--shard must be I/N with 0 <= I < N, got '{shard}'");
        }
        DataSplit s;
        AttackMode? attack;
        try
        {
            s = DataSplit.Parse(split ?? "iid");
            attack = byzantine is null ? null : AttackModes.Parse(byzantine);
        }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return new TrainingRunOptions(id, index, count, s, data, exit, name ?? "", corpus, failAt, lm, attack);
    }
}
