using System.Text;

namespace P2PNode.Identity;

/// <summary>
/// Reads a key passphrase from a file (so it never appears in a process list or shell history). The file's
/// content is the passphrase, minus one trailing line break if present; everything else counts, spaces included.
/// </summary>
public static class PassphraseFile
{
    private const int MaxBytes = 4096;

    public static string Read(string path)
    {
        if (!File.Exists(path))
            throw new KeyFileException(KeyFileError.BadPassphraseFile, $"passphrase file '{path}' does not exist");
        if (new FileInfo(path).Length > MaxBytes)
            throw new KeyFileException(KeyFileError.BadPassphraseFile, $"passphrase file '{path}' is larger than {MaxBytes} bytes; is it the right file?");
        string text;
        try { text = new UTF8Encoding(false, true).GetString(File.ReadAllBytes(path)); }
        catch (DecoderFallbackException) { throw new KeyFileException(KeyFileError.BadPassphraseFile, $"passphrase file '{path}' is not UTF-8 text"); }
        if (text.EndsWith("\r\n", StringComparison.Ordinal)) text = text[..^2];
        else if (text.EndsWith('\n')) text = text[..^1];
        if (text.Length == 0)
            throw new KeyFileException(KeyFileError.BadPassphraseFile, $"passphrase file '{path}' is empty");
        return text;
    }
}
