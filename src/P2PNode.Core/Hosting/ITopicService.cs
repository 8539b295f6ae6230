using P2PNode.Overlay;

namespace P2PNode.Hosting;

/// <summary>
/// Work a node does on a gossip topic of its own (a training run): the builder subscribes the overlay to
/// <see cref="Topic"/> before joining, routes that topic's messages to <see cref="Validator"/>, and calls
/// <see cref="RunAsync"/> once the overlay has joined.
/// </summary>
public interface ITopicService
{
    string Topic { get; }

    /// <summary>Checks (and may prepare) the topic's messages before they are forwarded; null accepts all.</summary>
    IGossipValidator? Validator { get; }

    /// <summary>Runs until the work ends or <paramref name="ct"/> is cancelled (the node is stopping). Returns
    /// null to leave the node running (serving the ledger and the overlay), or an exit code to stop the node
    /// with (1 after a failure, so that a supervisor restarts it).</summary>
    Task<int?> RunAsync(RunningNode node, CancellationToken ct);
}
