using System.Reflection;

namespace P2PNode.Cli;

internal static class AgentInfo
{
    public static string Agent { get; } =
        "p2pnode/" + (typeof(AgentInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");
}
