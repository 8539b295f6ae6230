namespace P2PNode.Nat;

/// <summary>No reply came within the total timeout, after <see cref="Attempts"/> transmissions.</summary>
public sealed class NatTimeoutException(string protocol, string what, int attempts, TimeSpan waited)
    : NatException(protocol, NatErrorKind.Timeout,
        FormattableString.Invariant($"no reply to {what} after {attempts} attempt(s) in {waited.TotalSeconds:0.###} s"))
{
    public int Attempts { get; } = attempts;

    public TimeSpan Waited { get; } = waited;
}
