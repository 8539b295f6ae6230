namespace P2PNode.Tests;

/// <summary>The outcome of a process run to completion by <see cref="NodeProcess.RunAsync"/>.</summary>
public sealed record NodeResult(int ExitCode, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr)
{
    /// <summary>Both streams, for assertion messages.</summary>
    public override string ToString() =>
        $"exit {ExitCode}\n--- stdout\n{string.Join('\n', Stdout)}\n--- stderr\n{string.Join('\n', Stderr)}";
}
