namespace P2PNode.Ledger.Audit;

/// <summary>Every finding code the auditor emits; docs/ledger.md defines when each applies.</summary>
public static class FindingCodes
{
    public const string MalformedLine = "MALFORMED_LINE";
    public const string ExportTruncated = "EXPORT_TRUNCATED";
    public const string BadEntryEncoding = "BAD_ENTRY_ENCODING";
    public const string FieldMismatch = "FIELD_MISMATCH";
    public const string BadEntrySignature = "BAD_ENTRY_SIGNATURE";
    public const string EntryOutOfOrder = "ENTRY_OUT_OF_ORDER";
    public const string DuplicateEntry = "DUPLICATE_ENTRY";
    public const string Equivocation = "EQUIVOCATION";
    public const string SeqGap = "SEQ_GAP";
    public const string BrokenChain = "BROKEN_CHAIN";
    public const string BadSthSignature = "BAD_STH_SIGNATURE";
    public const string SthRootMismatch = "STH_ROOT_MISMATCH";
    public const string SthBeyondLog = "STH_BEYOND_LOG";
    public const string SthInconsistent = "STH_INCONSISTENT";
    public const string BadCosignature = "BAD_COSIGNATURE";
    public const string TooFewWitnesses = "TOO_FEW_WITNESSES";
    public const string BadEvidence = "BAD_EVIDENCE";
    public const string UnknownRun = "UNKNOWN_RUN";
    public const string NotJoined = "NOT_JOINED";
    public const string LineageMissingInput = "LINEAGE_MISSING_INPUT";
    public const string LineageRoundMismatch = "LINEAGE_ROUND_MISMATCH";
    public const string LineageBaseMismatch = "LINEAGE_BASE_MISMATCH";
    public const string LineageUnknownModel = "LINEAGE_UNKNOWN_MODEL";
    public const string LineageDoubleUse = "LINEAGE_DOUBLE_USE";
    public const string JudgingMismatch = "JUDGING_MISMATCH";
}
