namespace P2PNode.Rounds;

/// <summary>What the driver knows about its peers when it asks whether the open round closes (the engine does not
/// track peers).</summary>
/// <param name="ActiveMembers">Nodes heard from within <see cref="RoundEngine{T}.ActiveWindowMs"/>, this one included.</param>
/// <param name="Stragglers">Live peers still on the round (their Status names it or the one before) whose
/// contribution to it is not held (see <see cref="RoundEngine{T}.AuthorSetFor"/>).</param>
/// <param name="PeerOnRound">Some live peer is on the round or has just closed it (its Status names round − 1, the
/// round or round + 1): used only for a round a restart may have lost (<see cref="RoundEngine{T}.Incomplete"/>).</param>
public readonly record struct CloseInputs(int ActiveMembers, int Stragglers = 0, bool PeerOnRound = false);

/// <summary>Why the open round closes now, or why it does not.</summary>
public enum CloseReason
{
    /// <summary>This node has not trained the round yet (<see cref="RoundEngine{T}.Trained"/>): it never closes before.</summary>
    NotTrained,
    /// <summary>A restart may have lost the round's contributions and a live peer is on it: wait for the peers'
    /// result (adopt it) rather than close on this partial book, up to <see cref="RoundRules.StragglerSpans"/> deadlines.</summary>
    AwaitingPeersResult,
    /// <summary>Close: contributions from <see cref="RoundRules.Need"/> distinct authors are held.</summary>
    Quorum,
    /// <summary>Short of a quorum and the deadline has not passed.</summary>
    BeforeDeadline,
    /// <summary>Past the deadline, but a live node is still on the round: wait, up to <see cref="RoundRules.StragglerSpans"/> deadlines.</summary>
    WaitingForStragglers,
    /// <summary>Close: the deadline (or the stragglers' longest wait) has passed without a quorum.</summary>
    Deadline,
}

/// <param name="Round">The open round the decision is about.</param>
/// <param name="Have">Distinct authors held for exactly that round.</param>
/// <param name="Need">Authors a quorum needs.</param>
/// <param name="DeadlineMs">When the deadline falls (trained time + span; 0 when not trained).</param>
/// <param name="FirstStragglerWait">True the first time a round waits for stragglers (count it once).</param>
/// <param name="WakeMs">When this decision changes by time alone, with no new contribution, Status or trained mark:
/// the deadline, or the end of the stragglers' (or the peers' result's) wait. Infinity when only an event can change
/// it (not trained yet) or the round closes now. The driver sleeps until then or until an event, never polls.</param>
public readonly record struct CloseDecision(ulong Round, CloseReason Reason, int Have, int Need, double DeadlineMs, bool FirstStragglerWait = false,
    double WakeMs = double.PositiveInfinity)
{
    /// <summary>True when the round closes now (<see cref="CloseReason.Quorum"/> or <see cref="CloseReason.Deadline"/>).</summary>
    public bool Close => Reason is CloseReason.Quorum or CloseReason.Deadline;
}

/// <summary>A closed round's inputs: every contribution held for it and, late, for earlier rounds, in canonical
/// order (round, then author, ordinal).</summary>
public sealed record ClosedRound<T>(ulong Round, IReadOnlyList<T> Inputs, int Late);
