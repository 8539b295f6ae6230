namespace P2PNode.Peers.Scoring;

/// <summary>Misbehaviour a peer is scored for (docs/transfer.md, "Peer scoring"). Penalties per kind are in
/// <see cref="ScoringOptions"/>.</summary>
public enum Offence
{
    /// <summary>A malformed or nonsensical message (bad manifest, unsolicited response, wrong field).</summary>
    InvalidMessage,

    /// <summary>A chunk whose bytes do not match the hash in the manifest.</summary>
    BadChunk,

    /// <summary>Announced an object (Have) but answered NotFound or nothing within the timeout.</summary>
    BrokenPromise,

    /// <summary>Exceeded its frames/s or bytes/s allowance.</summary>
    RateViolation,

    /// <summary>A signature that does not verify (gossip origin, certificate).</summary>
    ForgedSignature,
}
