namespace P2PNode.Ledger.Audit;

/// <summary>One problem the auditor found: a code from <see cref="FindingCodes"/>, where (author, seq, export
/// line when known) and what exactly.</summary>
public sealed record Finding(string Code, string Author, ulong? Seq, int? Line, string Message)
{
    public override string ToString() =>
        $"{Code} author={(Author.Length == 0 ? "-" : Author)} seq={(Seq?.ToString() ?? "-")}{(Line is { } l ? $" line={l}" : "")}: {Message}";
}
