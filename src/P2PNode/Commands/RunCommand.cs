using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using P2PNode.Metrics;
using P2PNode.Node;
using P2PNode.Transport;

namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode run [--config node.toml] [--listen a,b] [--data-dir D] [--bootstrap id@host:port,...]`: runs a
/// node until SIGINT/SIGTERM, then says goodbye to every peer. Prints one machine-readable line
/// "node &lt;peer id&gt; listening on &lt;addresses&gt;" once it accepts connections.
/// </summary>
internal static class RunCommand
{
    public static Task<int> RunAsync(Args a) => NodeSetup.Guard("run", async () =>
    {
        var flags = NodeSetup.ReadFlags(a);
        if (a.Get("bootstrap") is { } bootstrap)
            flags = flags with { Overrides = new Dictionary<string, string>(flags.Overrides) { ["network.bootstrap"] = bootstrap } };
        a.EnsureAllUsed();
        using var loaded = NodeSetup.Load(flags);
        var config = loaded.Config;
        var identity = loaded.Identity;
        Directory.CreateDirectory(config.Node.DataDir);

        using var loggerFactory = Logging.Create(config.Logging.Level);
        var log = loggerFactory.CreateLogger("p2pnode");
        var metrics = new NodeMetrics();
        await using var metricsFile = new MetricsFileWriter(metrics, Path.Combine(config.Node.DataDir, "metrics.prom"), TimeSpan.FromSeconds(1));
        var transport = new TcpTransport(identity, config.Network, metrics, log);
        await using var host = new NodeHost(identity, transport, config.Network, metrics, log) { Agent = AgentInfo.Agent };

        using var shutdown = new CancellationTokenSource();
        void Stop(PosixSignalContext c) { c.Cancel = true; shutdown.Cancel(); }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        IReadOnlyList<string> addresses;
        try { addresses = await host.StartAsync(shutdown.Token); }
        catch (System.Net.Sockets.SocketException e)
        {
            Console.Error.WriteLine($"p2pnode run: cannot listen on {string.Join(", ", config.Network.Listen)}: {e.Message}");
            return 2;
        }
        Console.Out.WriteLine($"node {identity.PeerId} listening on {string.Join(",", addresses)}");
        Console.Out.Flush();

        var keepers = config.Peers.Bootstrap
            .Where(p => p.PeerId != identity.PeerId)
            .Select(p => new PeerKeeper(host, p.Address, p.PeerId, log).RunAsync(shutdown.Token))
            .ToList();
        try { await Task.Delay(Timeout.Infinite, shutdown.Token); }
        catch (OperationCanceledException) { }
        log.LogInformation("shutdown requested");
        await host.StopAsync();
        await Task.WhenAll(keepers);
        return 0;
    });
}
