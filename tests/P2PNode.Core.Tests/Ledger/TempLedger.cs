using P2PNode.Ledger.Storage;

namespace P2PNode.Core.Tests.Ledger;

/// <summary>A ledger database in a fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempLedger : IDisposable
{
    public TempLedger()
    {
        Dir = Directory.CreateTempSubdirectory("p2pnode-ledger-").FullName;
        Store = LedgerStore.Open(DbPath);
    }

    public string Dir { get; }
    public string DbPath => Path.Combine(Dir, "ledger.db");
    public LedgerStore Store { get; private set; }

    public LedgerStore Reopen()
    {
        Store.Dispose();
        return Store = LedgerStore.Open(DbPath);
    }

    public void Dispose()
    {
        Store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
