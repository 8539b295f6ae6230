namespace P2PNode.Cli.Swarm;

/// <summary>One SIGKILL restart of `swarm --restarts`: when it was killed, the last round it had contributed to
/// then, and when (and to which round) it contributed next.</summary>
internal sealed class RestartRecord(int round, double killedAt, int contributedBefore)
{
    /// <summary>The swarm's highest aggregated round when the node was killed.</summary>
    public int Round { get; } = round;
    public double KilledAt { get; } = killedAt;
    public int ContributedBefore { get; } = contributedBefore;
    public int? NextContribution { get; set; }
    public double? ContributedAt { get; set; }

    /// <summary>Rounds between the last contribution before the kill and the next one that got no contribution.</summary>
    public int? RoundsMissed => NextContribution - ContributedBefore - 1;
    public double? Seconds => ContributedAt - KilledAt;
}
