namespace P2PNode.Cli.Commands;

/// <summary>`p2pnode id [--dir D | --config F] [--passphrase-file F]`: prints the node's peer id, alone on
/// one line, so scripts can build bootstrap entries ("$(p2pnode id)@host:port").</summary>
internal static class IdCommand
{
    public static Task<int> RunAsync(Args a) => NodeSetup.Guard("id", () =>
    {
        var flags = NodeSetup.ReadFlags(a);
        a.EnsureAllUsed();
        using var node = NodeSetup.Load(flags);
        Console.WriteLine(node.Identity.PeerId);
        return Task.FromResult(0);
    });
}
