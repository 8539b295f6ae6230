namespace P2PNode.Ledger.Entries;

/// <summary>The kind byte of an entry (docs/ledger.md, "Entry bodies"). Values are part of the signed format.</summary>
public enum EntryKind : byte
{
    RunGenesis = 1,
    Join = 2,
    Contribution = 3,
    Aggregation = 4,
    Attestation = 5,
    Checkpoint = 6,
}
