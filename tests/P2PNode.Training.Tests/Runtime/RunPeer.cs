using System.Security.Cryptography;
using P2PNode.Identity;
using P2PNode.Ledger.Audit;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;

namespace P2PNode.Training.Tests.Runtime;

/// <summary>
/// One participant of a test run: a fresh Ed25519 identity and its own SQLite ledger in a temporary folder
/// (the real store, nothing mocked). Writes the same entries `p2pnode run new` / `run --run` write.
/// </summary>
internal sealed class RunPeer : IDisposable
{
    public RunPeer() => Ledger = LedgerStore.Open(Dir.File("ledger.db"));

    public NodeIdentity Identity { get; } = NodeIdentity.Generate();
    public TempDir Dir { get; } = new();
    public LedgerStore Ledger { get; }
    public PeerId Id => Identity.PeerId;
    public string AuthorHex => Convert.ToHexStringLower(Identity.PublicKey);

    /// <summary>Creates a run as `run new` does (genesis with the zero run id, then the creator's join); returns the run id.</summary>
    public byte[] CreateRun(string hyperparameters, byte[] initialModel, string model = "mlp/v1")
    {
        var genesis = Ledger.AppendOwn(Identity.SigningKey, new RunGenesisBody
        {
            Name = "test-run", Model = model, Hyperparameters = hyperparameters, DataPolicy = "test", InitialModel = initialModel,
        }, new byte[32]);
        Join(genesis.Hash);
        return genesis.Hash;
    }

    public SignedEntry Join(byte[] run) => Ledger.AppendOwn(Identity.SigningKey, new JoinBody
    {
        NodeId = Id.ToString(), DisplayName = "test", Organisation = "", Hardware = "cpu", SoftwareVersion = "test",
    }, run);

    /// <summary>A signed Contribution entry in this peer's ledger committing to <paramref name="delta"/>.</summary>
    public SignedEntry Contribute(byte[] run, ulong round, byte[] baseModel, byte[] delta, ulong samples = 64, double loss = 1.0) =>
        Ledger.AppendOwn(Identity.SigningKey, new ContributionBody
        {
            Round = round, BaseModel = baseModel, PayloadHash = SHA256.HashData(delta), PayloadSize = (ulong)delta.Length,
            Samples = samples, InnerSteps = 3, LossBefore = loss, LossAfter = loss / 2, ComputeSeconds = 0.5,
        }, run);

    public IEnumerable<SignedEntry> Own() => Ledger.AllEntries(Identity.PublicKey);

    public void Dispose()
    {
        Ledger.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Identity.Dispose();
        Dir.Dispose();
    }

    /// <summary>The union of several nodes' ledgers as one audit input (what a peer holding all replicated logs sees).</summary>
    public static LedgerSnapshot Union(IEnumerable<RunPeer> peers)
    {
        var all = new LedgerSnapshot();
        foreach (var p in peers)
        {
            p.Ledger.PublishTreeHead(p.Identity.SigningKey);
            var s = LedgerSnapshot.FromStore(p.Ledger);
            all.Entries.AddRange(s.Entries);
            all.Heads.AddRange(s.Heads);
            all.Evidence.AddRange(s.Evidence);
            all.LoadFindings.AddRange(s.LoadFindings);
        }
        return all;
    }
}
