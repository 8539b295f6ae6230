namespace P2PNode.Ledger.Entries;

/// <summary>The snake_case names of entry kinds used in the JSONL export and CLI output.</summary>
public static class EntryKinds
{
    public static string Name(EntryKind kind) => kind switch
    {
        EntryKind.RunGenesis => "run_genesis",
        EntryKind.Join => "join",
        EntryKind.Contribution => "contribution",
        EntryKind.Aggregation => "aggregation",
        EntryKind.Attestation => "attestation",
        EntryKind.Checkpoint => "checkpoint",
        _ => $"unknown({(byte)kind})",
    };
}
