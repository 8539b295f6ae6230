using P2PNode.Identity;

namespace P2PNode.Core.Tests.Identity;

// File modes are POSIX; these tests run on Linux (the deployment target).
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PassphraseFileTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("secret", "secret")]
    [InlineData("secret\n", "secret")]
    [InlineData("secret\r\n", "secret")]
    [InlineData("secret\n\n", "secret\n")]
    [InlineData("  spaced out  \n", "  spaced out  ")]
    public void Content_is_the_passphrase_minus_one_trailing_newline(string content, string expected)
    {
        Assert.Equal(expected, PassphraseFile.Read(_dir.Write("pass", content)));
    }

    [Fact]
    public void Empty_or_missing_files_are_refused()
    {
        var empty = Assert.Throws<KeyFileException>(() => PassphraseFile.Read(_dir.Write("empty", "\n")));
        Assert.Equal(KeyFileError.BadPassphraseFile, empty.Error);
        Assert.Contains("is empty", empty.Message);
        var missing = Assert.Throws<KeyFileException>(() => PassphraseFile.Read(_dir.File("nope")));
        Assert.Equal(KeyFileError.BadPassphraseFile, missing.Error);
        Assert.Contains("does not exist", missing.Message);
    }
}
