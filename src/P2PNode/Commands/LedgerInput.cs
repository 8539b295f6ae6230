using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Storage;

namespace P2PNode.Cli.Commands;

/// <summary>Opens what the ledger verbs read: a SQLite ledger (recognised by its file header) or a JSONL export.</summary>
internal static class LedgerInput
{
    public static bool IsDatabase(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
        Span<byte> header = stackalloc byte[16];
        using var f = File.OpenRead(path);
        return f.Read(header) == 16 && header.SequenceEqual("SQLite format 3\0"u8);
    }

    public static LedgerSnapshot Load(string path)
    {
        if (IsDatabase(path))
        {
            using var store = LedgerStore.Open(path, readOnly: true);
            return LedgerSnapshot.FromStore(store);
        }
        using var f = File.OpenRead(path);
        return LedgerExport.Read(f);
    }

    public static LedgerStore OpenDatabase(string path)
    {
        if (!IsDatabase(path)) throw new InvalidDataException($"{path} is not a ledger database (this verb needs the database, not an export)");
        return LedgerStore.Open(path, readOnly: true);
    }

    public static string RequirePath(Args args, string what)
    {
        if (args.Positional.Count < 2) throw new UsageException($"missing {what}");
        return args.Positional[1];
    }
}
