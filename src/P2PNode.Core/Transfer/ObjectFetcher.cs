using System.Security.Cryptography;
using P2PNode.Identity;
using P2PNode.Peers.Scoring;
using P2PNode.Wire;
using P2PNode.Wire.Transfer;

namespace P2PNode.Transfer;

/// <summary>
/// One object's fetch (docs/transfer.md, "Fetch algorithm"): the manifest from the first source that serves one
/// hashing to the id, then chunks in parallel from every source, each request to the least-loaded peer (ties
/// in rotation) with at most <see cref="TransferOptions.MaxInFlightPerPeer"/> outstanding. Every chunk is
/// checked against its hash; a bad chunk, NotFound or timeout drops that peer from this fetch and the chunk is
/// asked of another. Chunks already in the store are not fetched again, so an interrupted fetch resumes.
/// </summary>
public sealed class ObjectFetcher
{
    private readonly TransferService _service;

    public ObjectFetcher(TransferService service) => _service = service;

    private sealed class Source(PeerId peer)
    {
        public PeerId Peer { get; } = peer;
        public int InFlight;
        public int Served;
        public bool Dropped;
    }

    public async Task<FetchResult> FetchAsync(ObjectId id, IReadOnlyList<PeerId> sources, CancellationToken ct)
    {
        var store = _service.Store;
        var peers = sources.Distinct().Select(p => new Source(p)).ToList();
        var manifest = store.GetManifest(id) ?? await FetchManifestAsync(id, peers, ct).ConfigureAwait(false);
        var missing = new Queue<int>(Enumerable.Range(0, manifest.ChunkCount).Where(i => !store.HasChunk(id, i)));
        var inFlight = new Dictionary<Task<WireMessage?>, (Source Source, int Index)>();
        int cursor = 0, bad = 0, retries = 0;
        while (missing.Count > 0 || inFlight.Count > 0)
        {
            while (missing.Count > 0 && Pick(peers, ref cursor) is { } s)
            {
                var index = missing.Dequeue();
                s.InFlight++;
                inFlight[_service.RequestAsync(s.Peer, rid => new GetChunk(rid, id, (uint)index), ct)] = (s, index);
            }
            if (inFlight.Count == 0)
                throw new TransferException($"object {id}: {missing.Count} chunks left and no peer left to serve them (of {peers.Count} sources)");
            var done = await Task.WhenAny(inFlight.Keys).ConfigureAwait(false);
            var (src, idx) = inFlight[done];
            inFlight.Remove(done);
            src.InFlight--;
            var reply = await done.ConfigureAwait(false);
            if (reply is Chunk c && c.Id == id && c.Index == idx && manifest.ChunkMatches(idx, c.Data))
            {
                store.PutChunk(id, idx, c.Data);
                src.Served++;
                continue;
            }
            missing.Enqueue(idx);
            retries++;
            if (src.Dropped) continue;
            src.Dropped = true;
            if (reply is Chunk wrong && wrong.Id == id && wrong.Index == idx)
            {
                bad++;
                _service.Report(src.Peer, Offence.BadChunk, $"chunk {idx} of {id} does not match its hash");
            }
            else if (reply is Chunk or ManifestMessage) _service.Report(src.Peer, Offence.InvalidMessage, $"answered chunk {idx} of {id} with another object or index");
            else if (_service.Announced(src.Peer, id) && _service.IsConnected(src.Peer))
                _service.Report(src.Peer, Offence.BrokenPromise, $"announced {id} but {(reply is NotFound ? "answered NotFound" : "did not answer")} for chunk {idx}");
        }
        VerifyWhole(manifest);
        return new FetchResult(manifest, peers.Where(p => p.Served > 0).ToDictionary(p => p.Peer, p => p.Served), bad, retries);
    }

    // Least loaded usable peer; among equals the first at or after the rotating cursor, so load spreads evenly.
    private Source? Pick(List<Source> peers, ref int cursor)
    {
        Source? best = null;
        for (var k = 0; k < peers.Count; k++)
        {
            var s = peers[(cursor + k) % peers.Count];
            if (s.Dropped || s.InFlight >= _service.Options.MaxInFlightPerPeer) continue;
            if (best is null || s.InFlight < best.InFlight) best = s;
        }
        if (best is not null) cursor = (peers.IndexOf(best) + 1) % peers.Count;
        return best;
    }

    private async Task<Manifest> FetchManifestAsync(ObjectId id, List<Source> peers, CancellationToken ct)
    {
        foreach (var s in peers)
        {
            var reply = await _service.RequestAsync(s.Peer, rid => new GetManifest(rid, id), ct).ConfigureAwait(false);
            if (reply is ManifestMessage mm)
            {
                try
                {
                    var m = Manifest.Parse(mm.Manifest);
                    if (m.Id == id)
                    {
                        _service.Store.PutManifest(m);
                        return m;
                    }
                    _service.Report(s.Peer, Offence.InvalidMessage, $"manifest hashes to {m.Id}, asked for {id}");
                }
                catch (ManifestFormatException e) { _service.Report(s.Peer, Offence.InvalidMessage, $"malformed manifest: {e.Message}"); }
            }
            else if (reply is not null && reply is not NotFound) _service.Report(s.Peer, Offence.InvalidMessage, $"answered GetManifest with {reply.Type}");
            else if (_service.Announced(s.Peer, id) && _service.IsConnected(s.Peer))
                _service.Report(s.Peer, Offence.BrokenPromise, $"announced {id} but {(reply is null ? "did not answer" : "answered NotFound")} for its manifest");
            s.Dropped = true;
        }
        throw new TransferException($"object {id}: none of {peers.Count} sources served its manifest");
    }

    // Chunks match their hashes, but a manifest built by a liar may list chunk hashes of other data than its
    // whole-object hash claims: check the whole object before calling it done.
    private void VerifyWhole(Manifest m)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < m.ChunkCount; i++)
            hash.AppendData(_service.Store.GetChunk(m.Id, i) ?? throw new TransferException($"object {m.Id}: chunk {i} is missing from the store after the fetch"));
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(m.ObjectHash))
            throw new TransferException($"object {m.Id}: chunks match the manifest but not its whole-object hash");
    }
}
