namespace P2PNode.Training.Data;

/// <summary>A data file that is missing, unreadable or malformed. The message names the file and the problem.</summary>
public sealed class DatasetFormatException(string path, string problem, Exception? inner = null)
    : TrainingDataException($"{path}: {problem}", inner)
{
    public string Path { get; } = path;
    public string Problem { get; } = problem;
}
