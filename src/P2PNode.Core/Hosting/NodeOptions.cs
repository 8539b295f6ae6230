using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using P2PNode.Config;
using P2PNode.Identity;
using P2PNode.Metrics;

namespace P2PNode.Hosting;

/// <summary>What <see cref="NodeBuilder"/> assembles a node from: the loaded configuration and key, where its
/// logs and machine-readable lines go, and what runs on it besides the overlay.</summary>
public sealed record NodeOptions
{
    public required NodeConfig Config { get; init; }
    public required NodeIdentity Identity { get; init; }

    /// <summary>Software version sent in Hello and recorded in Join entries, e.g. "p2pnode/1.2.0".</summary>
    public string Agent { get; init; } = "p2pnode/0.0.0";

    public ILogger Log { get; init; } = NullLogger.Instance;
    public NodeMetrics Metrics { get; init; } = new();

    /// <summary>Machine-readable lines (listening, port mapping, relay decisions, training events;
    /// docs/runtime.md "Output streams"). `p2pnode run` passes stdout; tests pass a synchronized buffer.</summary>
    public TextWriter Output { get; init; } = TextWriter.Null;

    /// <summary>Keep a ledger (node.data_dir/ledger.db) and replicate it with peers. Topic services that record
    /// contributions need it.</summary>
    public bool Ledger { get; init; }

    /// <summary>Services on their own topics (a training run); each is started once the overlay has joined.</summary>
    public IReadOnlyList<ITopicService> Services { get; init; } = [];

    /// <summary>How long joining waits for the port mapping: above the worst discovery (PCP 1 s + NAT-PMP 1 s +
    /// UPnP 3 s) plus a mapping request, so never reached normally.</summary>
    public TimeSpan MaxPortMappingWait { get; init; } = TimeSpan.FromSeconds(10);
}
