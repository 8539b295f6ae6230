namespace P2PNode.Identity;

/// <summary>A key file problem, with a message that names the file and says what to do.</summary>
public sealed class KeyFileException(KeyFileError error, string message) : IOException(message)
{
    public KeyFileError Error { get; } = error;
}
