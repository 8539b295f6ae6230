using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using P2PNode.Nat;
using P2PNode.Nat.Upnp;

namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode nat ...`: port mapping by hand and for the gateway integration test. Every result is one JSON
/// object per line on stdout; diagnostics go to stderr.
/// <code>
/// nat map --port P [--protocol auto|pcp|natpmp|upnp] [--gateway IP] [--local IP] [--public-port Q]
///         [--lifetime S] [--transport tcp|udp] [--max-renew S] [--description D] [--hold S] [--verbose]
///     keeps the mapping (events "mapped", "renewed", "renew-failed", "lost") until stdin closes (or for
///     --hold seconds) or SIGINT/SIGTERM, then deletes it ("deleted").
/// nat query --gateway IP --public-port Q [--transport tcp|udp] [--local IP]   (UPnP GetSpecificPortMappingEntry)
/// nat gateway                      the default gateway from /proc/net/route
/// nat serve-test --port P          TCP listener answering each connection with one line naming the caller
/// nat connect-test --to HOST:PORT  connects and prints that line
/// </code>
/// </summary>
internal static class NatCommand
{
    // Readable output ("+00:00", not "\u002B00:00"); these lines go to a terminal or a test, never into HTML.
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal const string Usage = "usage: p2pnode nat map|query|gateway|serve-test|connect-test [options] (see docs/nat.md)";

    public static Task<int> RunAsync(Args a)
    {
        var verb = a.Positional.Count > 0 ? a.Positional[0] : throw new UsageException(Usage);
        return verb switch
        {
            "map" => MapAsync(a),
            "query" => QueryAsync(a),
            "gateway" => GatewayAsync(a),
            "serve-test" => ServeTestAsync(a),
            "connect-test" => ConnectTestAsync(a),
            _ => throw new UsageException($"unknown nat command '{verb}'; {Usage}"),
        };
    }

    private static async Task<int> MapAsync(Args a)
    {
        var methods = (a.Get("protocol") ?? "auto") switch
        {
            "auto" => new[] { NatMethod.Pcp, NatMethod.NatPmp, NatMethod.UpnpIgd },
            "pcp" => [NatMethod.Pcp],
            "natpmp" => [NatMethod.NatPmp],
            "upnp" => [NatMethod.UpnpIgd],
            var p => throw new UsageException($"--protocol must be auto, pcp, natpmp or upnp, got '{p}'"),
        };
        var gateway = Address(a, "gateway");
        var local = Address(a, "local");
        var port = a.GetInt("port", 1, 65535) ?? throw new UsageException("--port is required");
        var publicPort = a.GetInt("public-port", 0, 65535) ?? port;
        var lifetime = a.GetInt("lifetime", 1, int.MaxValue) ?? 3600;
        var transport = Transport(a);
        var maxRenew = a.GetDouble("max-renew");
        var description = a.Get("description") ?? "p2pnode";
        var verbose = a.Flag("verbose");
        var hold = a.GetDouble("hold");
        a.EnsureAllUsed(maxPositional: 1);
        if (hold is < 0) throw new UsageException("--hold must be a number of seconds >= 0");
        if (maxRenew is { } m && m < 0.1) throw new UsageException("--max-renew must be at least 0.1 seconds");

        // Logs go to stderr: stdout carries only the JSON events a script or test reads.
        using var loggers = Logging.Create(verbose ? LogLevel.Debug : LogLevel.Warning, timestamps: false);
        var log = loggers.CreateLogger("nat");

        using var stop = new StopSignal();
        IPortMapper? found;
        try
        {
            found = await NatDiscoverer.DiscoverAsync(new NatDiscoveryOptions
            {
                Gateway = gateway,
                LocalAddress = local,
                Methods = methods,
                Logger = log,
            }, stop.Cts.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("nat map: interrupted during discovery");
            return 1;
        }
        await using var mapper = found;
        if (mapper is null)
        {
            Console.Error.WriteLine($"nat map: no gateway answered ({string.Join(", ", methods)}); run with --verbose for each probe's reason");
            return 1;
        }
        var request = new PortMapping(transport, port, publicPort, TimeSpan.FromSeconds(lifetime), description);
        PortMappingKeeper keeper;
        try
        {
            keeper = await PortMappingKeeper.StartAsync(mapper, request, new PortMappingKeeperOptions
            {
                MaxRenewInterval = maxRenew is { } r ? TimeSpan.FromSeconds(r) : null,
                RetryInterval = TimeSpan.FromSeconds(Math.Clamp(lifetime / 4.0, 0.5, 10)),
                Logger = log,
            }, stop.Cts.Token);
        }
        catch (Exception e) when (e is NatException or OperationCanceledException)
        {
            Console.Error.WriteLine($"nat map: {(e is NatException ? e.Message : "interrupted while mapping")}");
            return 1;
        }
        var output = new object();
        void Emit(string kind, PortMapping m, Exception? error)
        {
            lock (output) Console.Out.WriteLine(Json(kind, mapper.Protocol, m, error));
        }
        // "mapped" first: renewals come at least 100 ms later, so no event can precede it.
        Emit("mapped", keeper.Current, null);
        keeper.Changed += (_, e) => Emit(e.Kind switch
        {
            PortMappingEventKind.Renewed => "renewed",
            PortMappingEventKind.RenewFailed => "renew-failed",
            PortMappingEventKind.Lost => "lost",
            PortMappingEventKind.Deleted => "deleted",
            _ => "delete-failed",
        }, e.Mapping, e.Error);
        if (hold is { } seconds)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(seconds), stop.Cts.Token); } catch (OperationCanceledException) { }
        }
        else
        {
            await WaitForStopAsync(stop.Cts.Token);
        }
        var deleted = true;
        keeper.Changed += (_, e) => deleted &= e.Kind == PortMappingEventKind.Deleted;
        await keeper.DisposeAsync();
        return deleted ? 0 : 1;
    }

    private static async Task<int> QueryAsync(Args a)
    {
        var gateway = Address(a, "gateway") ?? throw new UsageException("--gateway is required");
        var local = Address(a, "local");
        var publicPort = a.GetInt("public-port", 1, 65535) ?? throw new UsageException("--public-port is required");
        var transport = Transport(a);
        a.EnsureAllUsed(maxPositional: 1);
        try
        {
            await using var client = await UpnpIgdClient.DiscoverAsync(local, gateway, TimeSpan.FromSeconds(3), CancellationToken.None);
            var entry = await client.GetSpecificEntryAsync(transport, publicPort, CancellationToken.None);
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["present"] = entry is not null,
                ["protocol"] = transport.ToString().ToLowerInvariant(),
                ["publicPort"] = publicPort,
                ["internalClient"] = entry?.InternalClient.ToString(),
                ["internalPort"] = entry?.InternalPort,
                ["enabled"] = entry?.Enabled,
                ["description"] = entry?.Description,
                ["remainingLeaseSeconds"] = entry?.RemainingLease.TotalSeconds,
            }, JsonOptions));
            return 0;
        }
        catch (NatException e)
        {
            Console.Error.WriteLine($"nat query: {e.Message}");
            return 1;
        }
    }

    private static Task<int> GatewayAsync(Args a)
    {
        a.EnsureAllUsed(maxPositional: 1);
        var gateway = DefaultGateway.Find();
        if (gateway is null)
        {
            Console.Error.WriteLine("nat gateway: no IPv4 default route in /proc/net/route");
            return Task.FromResult(1);
        }
        Console.WriteLine(gateway);
        return Task.FromResult(0);
    }

    private static async Task<int> ServeTestAsync(Args a)
    {
        var port = a.GetInt("port", 1, 65535) ?? throw new UsageException("--port is required");
        a.EnsureAllUsed(maxPositional: 1);
        using var stop = new StopSignal();
        var listener = new TcpListener(IPAddress.Any, port);
        listener.Start();
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["event"] = "listening", ["port"] = port }, JsonOptions));
        var accepting = Task.Run(async () =>
        {
            while (!stop.Cts.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Cts.Token);
                var remote = (IPEndPoint)client.Client.RemoteEndPoint!;
                // The caller's address in the answer lets a test prove the connection really came from outside.
                var line = $"p2pnode-nat-test {remote.Address} {remote.Port}\n";
                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(line), stop.Cts.Token);
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["event"] = "served", ["remote"] = remote.ToString() }, JsonOptions));
            }
        });
        await WaitForStopAsync(stop.Cts.Token);
        listener.Stop();
        try { await accepting; } catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
        return 0;
    }

    private static async Task<int> ConnectTestAsync(Args a)
    {
        var to = a.Get("to") ?? throw new UsageException("--to HOST:PORT is required");
        var timeoutMs = a.GetInt("timeout-ms", 100, 600_000) ?? 5000;
        a.EnsureAllUsed(maxPositional: 1);
        if (!IPEndPoint.TryParse(to, out var endpoint) || endpoint.Port == 0) throw new UsageException($"--to must be IP:PORT, got '{to}'");
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint, cts.Token);
            using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
            var line = await reader.ReadLineAsync(cts.Token);
            if (line is null)
            {
                Console.Error.WriteLine($"connect-test {endpoint}: connection closed without a line");
                return 1;
            }
            Console.WriteLine(line);
            return 0;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            Console.Error.WriteLine($"connect-test {endpoint}: {(e is OperationCanceledException ? "timed out" : e.Message)}");
            return 1;
        }
    }

    private static string Json(string kind, string protocol, PortMapping m, Exception? error) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["event"] = kind,
            ["protocol"] = protocol,
            ["transport"] = m.Protocol.ToString().ToLowerInvariant(),
            ["externalAddress"] = m.PublicAddress?.ToString(),
            ["publicPort"] = m.PublicPort,
            ["privatePort"] = m.PrivatePort,
            ["lifetimeSeconds"] = m.Lifetime.TotalSeconds,
            ["expires"] = m.Expires.ToString("O", CultureInfo.InvariantCulture),
            ["error"] = error?.Message,
        }, JsonOptions);

    private static IPAddress? Address(Args a, string name)
    {
        var text = a.Get(name);
        if (text is null) return null;
        return IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork
            ? ip
            : throw new UsageException($"--{name} must be an IPv4 address, got '{text}'");
    }

    private static NatProtocol Transport(Args a) => (a.Get("transport") ?? "tcp") switch
    {
        "tcp" => NatProtocol.Tcp,
        "udp" => NatProtocol.Udp,
        var t => throw new UsageException($"--transport must be tcp or udp, got '{t}'"),
    };

    /// <summary>Cancelled by SIGINT or SIGTERM, so the mapping is deleted on a normal shutdown too.</summary>
    private sealed class StopSignal : IDisposable
    {
        private readonly PosixSignalRegistration[] _registrations;

        public StopSignal()
        {
            _registrations = [Register(PosixSignal.SIGINT), Register(PosixSignal.SIGTERM)];
        }

        public CancellationTokenSource Cts { get; } = new();

        private PosixSignalRegistration Register(PosixSignal signal) => PosixSignalRegistration.Create(signal, ctx =>
        {
            ctx.Cancel = true;
            try { Cts.Cancel(); } catch (ObjectDisposedException) { }
        });

        public void Dispose()
        {
            foreach (var r in _registrations) r.Dispose();
            Cts.Dispose();
        }
    }

    /// <summary>Returns when stdin reaches end of file (the controlling process closed it) or on a stop signal.</summary>
    private static async Task WaitForStopAsync(CancellationToken stop)
    {
        var stdin = Task.Run(async () =>
        {
            while (await Console.In.ReadLineAsync(stop) is { } line)
            {
                if (line.Trim() == "quit") return;
            }
        }, CancellationToken.None);
        try
        {
            await stdin.WaitAsync(stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
