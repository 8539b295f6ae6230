namespace P2PNode.Training;

/// <summary>The base of the training area's exceptions: a file the training side reads that cannot be used
/// (<see cref="State.CheckpointException"/>: a checkpoint or safetensors file; <see cref="Data.DatasetFormatException"/>:
/// a data set). The message says which file and what is wrong.</summary>
public abstract class TrainingDataException : Exception
{
    protected TrainingDataException(string message, Exception? inner = null) : base(message, inner) { }
}
