namespace P2PNode.Cli.Swarm;

/// <summary>One SIGKILL restart of `swarm --restarts`: when it was killed, the last round it had contributed to
/// then, and when (and to which round) it contributed next.</summary>
internal sealed class RestartRecord(int round, double killedAt, int contributedBefore)
{
    /// <summary>The swarm's highest aggregated round when the node was killed.</summary>
    public int Round { get; } = round;
    public double KilledAt { get; } = killedAt;
    public int ContributedBefore { get; } = contributedBefore;
    /// <summary>The swarm's highest aggregated round when the restarted process first reported anything.</summary>
    public int? RejoinedAt { get; set; }
    public int? NextContribution { get; set; }
    public double? ContributedAt { get; set; }

    /// <summary>Rounds between the last contribution before the kill and the next one that got no contribution.</summary>
    public int? RoundsMissed => NextContribution - ContributedBefore - 1;

    /// <summary>Rounds the node let pass after it was back before contributing: those closed while it was dead are
    /// not counted (no node can contribute to them; how many there are depends on how fast the process restarts).</summary>
    public int? RoundsAfterRejoin => NextContribution is { } next
        ? Math.Max(0, next - Math.Max(RejoinedAt ?? ContributedBefore, ContributedBefore) - 1)
        : null;
    public double? Seconds => ContributedAt - KilledAt;
}
