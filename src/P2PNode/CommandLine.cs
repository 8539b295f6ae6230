using P2PNode.Cli.Commands;

namespace P2PNode.Cli;

/// <summary>The `p2pnode` command table. Exit codes: 0 success, 1 failure or findings, 2 usage/config/I-O error.</summary>
public static class CommandLine
{
    // One line per verb; each command lives in Commands/ and parses its own arguments with Args.
    private static readonly SortedDictionary<string, (string Help, Func<Args, Task<int>> Run)> Verbs = new()
    {
        ["train"] = (TrainCommand.Help, TrainCommand.RunAsync),
        ["sim"] = ("simulate the gossip overlay: sim overlay --nodes N --churn F [--json out.json]", SimCommand.RunAsync),
        ["ledger"] = (LedgerCommand.Help, LedgerCommand.RunAsync),
        ["diloco"] = (SimDilocoCommand.Help, SimDilocoCommand.RunAsync),
        ["version"] = ("print the version", _ => { Console.WriteLine(AgentInfo.Agent); return Task.FromResult(0); }),
        ["init"] = ("create a node folder: key (node.key) and commented node.toml", InitCommand.RunAsync),
        ["id"] = ("print this node's peer id", IdCommand.RunAsync),
        ["run"] = ("run a node until SIGINT/SIGTERM", RunCommand.RunAsync),
        ["ping"] = ("dial a node, prove its identity, print round-trip times", PingCommand.RunAsync),
        ["swarm"] = (Swarm.SwarmCommand.Help, Swarm.SwarmCommand.RunAsync),
        ["export"] = (ExportCommand.Help, ExportCommand.RunAsync),
        ["generate"] = (GenerateCommand.Help, GenerateCommand.RunAsync),
        ["tokenizer"] = (TokenizerCommand.Help, TokenizerCommand.RunAsync),
        ["nat"] = ("NAT port mapping tools: map, query, gateway (see docs/nat.md)", NatCommand.RunAsync),
    };

    public static async Task<int> RunAsync(string[] argv)
    {
        if (argv.Length == 0 || argv[0] is "-h" or "--help" or "help")
        {
            PrintHelp();
            return argv.Length == 0 ? 2 : 0;
        }
        if (!Verbs.TryGetValue(argv[0], out var verb))
        {
            Console.Error.WriteLine($"p2pnode: unknown command '{argv[0]}' (try 'p2pnode help')");
            return 2;
        }
        if (CommandUsage.AsksForHelp(argv))
        {
            Console.WriteLine(CommandUsage.Of(argv, verb.Help));
            return 0;
        }
        try
        {
            return await verb.Run(new Args(argv.Skip(1).ToArray()));
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"p2pnode {argv[0]}: {e.Message}");
            return 2;
        }
    }

    private static void PrintHelp()
    {
        Console.WriteLine("usage: p2pnode <command> [options]\n\ncommands:");
        foreach (var (name, (help, _)) in Verbs) Console.WriteLine($"  {name,-10} {help}");
    }
}
