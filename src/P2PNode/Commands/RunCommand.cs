using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using P2PNode.Hosting;
using P2PNode.Overlay;
using P2PNode.Training.Participation;
using P2PNode.Wire.Gossip;

namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode run [--config node.toml] [--listen a,b] [--data-dir D] [--bootstrap id@host:port,...]
/// [--publish-every MS]`: runs a node in the gossip overlay until SIGINT/SIGTERM, then says goodbye to every
/// peer. Machine-readable stdout lines: "node &lt;peer id&gt; listening on &lt;addresses&gt;" once it accepts
/// connections, "delivered &lt;id hex&gt; from &lt;origin&gt; hops &lt;h&gt; &lt;text&gt;" for every message of the topic
/// (its own included, with hops 0), and the answers to control lines read from stdin:
/// "publish &lt;text&gt;" (answers "published &lt;id hex&gt;") and "view &lt;tag&gt;" (answers
/// "view &lt;tag&gt; active &lt;n&gt; passive &lt;m&gt; &lt;active ids, comma-separated&gt;") and "address &lt;tag&gt;"
/// (answers "address &lt;tag&gt; &lt;external ip or unknown&gt; &lt;agreeing&gt;/&lt;voters&gt;"); the lines of the node itself
/// (listening, port mapping, relay, training events), which <see cref="NodeBuilder"/> assembles: this command only
/// reads flags, prints, and stops the node on a signal.
/// </summary>
internal static class RunCommand
{
    public static Task<int> RunAsync(Args a) => a.Positional is ["new", ..] ? RunNewCommand.RunAsync(a) : NodeSetup.Guard("run", async () =>
    {
        var training = TrainingFlags.Read(a);
        var flags = NodeSetup.ReadFlags(a);
        if (a.Get("bootstrap") is { } bootstrap)
            flags = flags with { Overrides = new Dictionary<string, string>(flags.Overrides) { ["network.bootstrap"] = bootstrap } };
        var publishEvery = a.GetInt("publish-every", 10, 86_400_000);
        a.EnsureAllUsed();
        using var loaded = NodeSetup.Load(flags);
        using var loggerFactory = Logging.Create(loaded.Config.Logging.Level);
        var log = loggerFactory.CreateLogger("p2pnode");

        using var shutdown = new CancellationTokenSource();
        void Stop(PosixSignalContext c) { c.Cancel = true; shutdown.Cancel(); }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        RunningNode node;
        try
        {
            node = await NodeBuilder.StartAsync(new NodeOptions
            {
                Config = loaded.Config, Identity = loaded.Identity, Agent = AgentInfo.Agent, Log = log, Output = Console.Out,
                Ledger = training is not null, Services = training is null ? [] : [new TrainingRun(training)],
            }, shutdown.Token);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            Console.Error.WriteLine($"p2pnode run: cannot listen on {string.Join(", ", loaded.Config.Network.Listen)}: {e.Message}");
            return 2;
        }
        await using (node)
        {
            var topic = loaded.Config.Overlay.Topic;
            node.Overlay.Delivered += d => { if (d.Topic == topic) PrintDelivered(d.Id, d.Origin.ToString(), d.Hops, d.Payload); };
            var publish = (string text) => Publish(node.Overlay, topic, node.PeerId.ToString(), text, log);
            _ = Task.Run(() => ReadControlLinesAsync(node.Overlay, node.Addresses, publish, log));
            var ticks = publishEvery is { } ms ? PublishEveryAsync(TimeSpan.FromMilliseconds(ms), publish, shutdown.Token) : Task.CompletedTask;

            // Until SIGINT/SIGTERM, or a service asks to stop (exit code 1 when training failed, so a supervisor restarts it).
            var exitCode = await node.WaitAsync(shutdown.Token);
            log.ShutdownRequested();
            await shutdown.CancelAsync();
            await ticks;
            return exitCode;
        }
    });

    private static void Publish(OverlayService overlay, string topic, string self, string text, ILogger log)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        MessageId id;
        try { id = overlay.Publish(topic, payload); }
        catch (ArgumentException e)
        {
            log.PublishRefused(e.Message);
            return;
        }
        Console.Out.WriteLine($"published {id}");
        PrintDelivered(id, self, 0, payload);
    }

    private static void PrintDelivered(MessageId id, string origin, uint hops, byte[] payload)
    {
        // One line per delivery whatever the payload holds: control characters become '?'.
        var text = string.Concat(Encoding.UTF8.GetString(payload).Select(c => char.IsControl(c) ? '?' : c));
        Console.Out.WriteLine($"delivered {id} from {origin} hops {hops} {text}");
    }

    // Control lines on stdin; end of input (e.g. stdin is /dev/null under systemd) just ends this loop.
    private static async Task ReadControlLinesAsync(OverlayService overlay, AddressBook addressBook, Action<string> publish, ILogger log)
    {
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var space = line.IndexOf(' ');
            var (verb, rest) = space < 0 ? (line, "") : (line[..space], line[(space + 1)..]);
            switch (verb)
            {
                case "publish":
                    publish(rest);
                    break;
                case "view":
                    var active = overlay.ActiveView;
                    Console.Out.WriteLine($"view {rest} active {active.Count} passive {overlay.PassiveView.Count} {string.Join(",", active)}");
                    break;
                case "address":
                    var (agreeing, voters) = addressBook.Support;
                    Console.Out.WriteLine($"address {rest} {addressBook.ExternalIp?.ToString() ?? "unknown"} {agreeing}/{voters}");
                    break;
                case "":
                    break;
                default:
                    log.UnknownControlLine(verb);
                    break;
            }
        }
    }

    private static async Task PublishEveryAsync(TimeSpan interval, Action<string> publish, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        var n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) publish($"tick {++n}");
        }
        catch (OperationCanceledException) { }
    }
}
