namespace P2PNode.Ledger.Entries;

public enum EquivocationKind
{
    /// <summary>Two different entries signed by one author at one sequence number.</summary>
    EntryFork,
    /// <summary>Two signed tree heads of one author that no single log can explain.</summary>
    TreeHeadFork,
}
