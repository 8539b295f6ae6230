namespace P2PNode.Compression;

/// <summary>
/// The error-feedback residual of one sender: what compression left out of earlier rounds. The encoder adds
/// it to the next delta before compressing and then stores <c>input - decoded(sent)</c> back here, so
/// nothing is lost, only delayed (Seide et al. 2014; Karimireddy et al. 2019). One instance per model and
/// sender; it lives across rounds and may be persisted through <see cref="Values"/>.
/// </summary>
public sealed class ErrorFeedback
{
    private readonly float[] _residual;

    /// <summary>A zero residual for a model of <paramref name="length"/> parameters.</summary>
    public ErrorFeedback(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _residual = new float[length];
    }

    /// <summary>Number of parameters this residual covers; must equal the delta length at encode time.</summary>
    public int Length => _residual.Length;

    /// <summary>The residual itself, writable so that a node can save and restore it with its checkpoint.</summary>
    public Span<float> Values => _residual;

    /// <summary>Forget the carried error, e.g. after the model was replaced by a downloaded checkpoint.</summary>
    public void Reset() => Array.Clear(_residual);

    /// <summary>L2 norm of the residual (double accumulation), useful as a health metric.</summary>
    public double Norm()
    {
        double sum = 0;
        foreach (var x in _residual) sum += (double)x * x;
        return Math.Sqrt(sum);
    }
}
