using System.Diagnostics;
using P2PNode.Compression;
using P2PNode.Training.Byzantine;

namespace P2PNode.Training.Runtime;

public sealed partial class TrainingNode
{
    /// <summary>How long a copying or colluding attacker waits for the other nodes' contributions of its round.</summary>
    private static readonly TimeSpan OthersWait = TimeSpan.FromSeconds(10);

    /// <summary>The attacker's delta and sample claim for <paramref name="round"/> (measurement runs only).</summary>
    private (float[] Delta, long Samples) Lie(Attacker attacker, ulong round, float[] honest, long samples) =>
        attacker.Lie(honest, samples, attacker.NeedsOthers ? OthersOf(round, attacker.Mode == AttackMode.Collude ? 2 : 1, honest.Length) : []);

    /// <summary>
    /// The decoded deltas of other nodes' contributions of <paramref name="round"/> held here, after waiting until
    /// <paramref name="wanted"/> of them arrived or <see cref="OthersWait"/> passed. A plain poll on the real clock:
    /// only an attacker node runs it (honest nodes never wait for contributions before their own), nothing pulses on
    /// arrival for this purpose, and a measurement tool does not justify a new wake-up path through the round thread.
    /// </summary>
    private List<ReadOnlyMemory<float>> OthersOf(ulong round, int wanted, int n)
    {
        var waited = Stopwatch.StartNew();
        var held = _book.HeldFor(round);
        while (held.Count(c => c.Author != _self) < wanted && waited.Elapsed < OthersWait && !_stop.Token.WaitHandle.WaitOne(50))
            held = _book.HeldFor(round);
        return [.. held.Where(c => c.Author != _self).Select(c => (ReadOnlyMemory<float>)DeltaDecoder.Decode(c.Delta, n))];
    }
}
