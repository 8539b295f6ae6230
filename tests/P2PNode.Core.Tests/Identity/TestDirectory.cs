namespace P2PNode.Core.Tests.Identity;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
// File modes are POSIX; these tests run on Linux (the deployment target).
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class TestDirectory : IDisposable
{
    public TestDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "p2pnode-core-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a file created with the given mode (like a careful user would).</summary>
    public string Write(string name, string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, content);
        System.IO.File.SetUnixFileMode(path, mode);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
