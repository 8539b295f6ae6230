using P2PNode.Identity;
using P2PNode.Training.Runtime;
using P2PNode.Transfer;

namespace P2PNode.Cli.Commands;

/// <summary>
/// Models served and fetched over content-addressed transfer (docs/transfer.md): chunks verified on arrival,
/// fetched in parallel from every peer that announced the model. Offered models stay in memory for the run
/// (1.7 MB per round for the CNN).
/// </summary>
internal sealed class TransferModelExchange(TransferService transfer) : IModelExchange
{
    public byte[] Offer(byte[] model)
    {
        var manifest = transfer.Store.AddObject(model);
        transfer.Announce(manifest);
        return manifest.Id.ToBytes();
    }

    public async Task<byte[]?> FetchAsync(byte[] objectId, IReadOnlyList<string> peers, CancellationToken ct)
    {
        var id = ObjectId.FromBytes(objectId);
        var sources = peers.Select(p => PeerId.TryParse(p, out var peer, out _) ? peer : (PeerId?)null).OfType<PeerId>().ToList();
        try
        {
            await transfer.FetchAsync(id, sources.Count > 0 ? sources : null, ct);
            return transfer.Store.ReadObject(id);
        }
        catch (TransferException)
        {
            return null;
        }
    }
}
