using P2PNode.Identity;
using P2PNode.Training.Runtime;
using P2PNode.Transfer;

namespace P2PNode.Training.Participation;

/// <summary>
/// Models (and outer optimizer states) served and fetched over content-addressed transfer (docs/transfer.md):
/// chunks verified on arrival, fetched in parallel from every peer that announced the object. The last
/// <see cref="Kept"/> objects offered or fetched stay served; older ones are released to the transfer service,
/// which drops them once their Have no longer binds. Keeping every one was 1.7 MB per round for the CNN, twice that
/// since the outer state is served with the model, for the whole run.
/// </summary>
public sealed class TransferModelExchange(TransferService transfer) : IModelExchange
{
    /// <summary>Objects kept served: a round offers two (model and outer state), a repair or catch-up two more, and
    /// peers fetch only what a Status names (the sender's latest), so 16 covers the RoundBook window with room.</summary>
    public const int Kept = 16;

    private readonly LinkedList<ObjectId> _recent = new();
    private readonly Lock _gate = new();

    public ObjectId Offer(byte[] model)
    {
        var manifest = transfer.Store.AddObject(model);
        Keep(manifest.Id);
        transfer.Announce(manifest);
        return manifest.Id;
    }

    public async Task<byte[]?> FetchAsync(ObjectId objectId, IReadOnlyList<PeerId> peers, CancellationToken ct)
    {
        try
        {
            await transfer.FetchAsync(objectId, peers.Count > 0 ? peers : null, ct);
            Keep(objectId);
            return transfer.Store.ReadObject(objectId);
        }
        catch (TransferException)
        {
            return null;
        }
    }

    /// <summary>Marks <paramref name="id"/> the newest object kept and releases what falls past <see cref="Kept"/>.</summary>
    private void Keep(ObjectId id)
    {
        List<ObjectId> old = [];
        lock (_gate)
        {
            _recent.Remove(id);
            _recent.AddLast(id);
            while (_recent.Count > Kept)
            {
                old.Add(_recent.First!.Value);
                _recent.RemoveFirst();
            }
        }
        foreach (var o in old) transfer.Release(o);
    }
}
