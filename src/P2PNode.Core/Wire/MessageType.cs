namespace P2PNode.Wire;

/// <summary>Element 0 of every v1 message array. Codes are part of the wire format: never renumber.</summary>
public enum MessageType : uint
{
    Hello = 1,
    Ping = 2,
    Pong = 3,
    Disconnect = 4,
    Error = 5,

    // Gossip overlay (docs/overlay.md): membership 16..31, broadcast 32..47; 48..63 reserved for the overlay.
    Join = 16,
    ForwardJoin = 17,
    Neighbor = 18,
    NeighborReply = 19,
    Detach = 20,
    Shuffle = 21,
    ShuffleReply = 22,
    Gossip = 32,
    IHave = 33,
    Graft = 34,
    Prune = 35,

    // Content-addressed transfer (docs/transfer.md): 64..79.
    Have = 64,
    GetManifest = 65,
    Manifest = 66,
    GetChunk = 67,
    Chunk = 68,
    NotFound = 69,
    // Ledger replication (docs/ledger.md, "Replication protocol"): 80..95.
    LedgerHeads = 80,
    GetLedgerEntries = 81,
    LedgerEntries = 82,
    LedgerCosignature = 83,
    LedgerEvidence = 84,
    LedgerUnavailable = 85,

    // Circuit relay (docs/protocol.md, "Relay"): 96..103.
    ReserveRequest = 96,
    ReserveOk = 97,
    ReserveRefused = 98,
    ConnectRequest = 99,
    IncomingCircuit = 100,
    CircuitOpen = 101,
    CircuitData = 102,
    CircuitClose = 103,
}
