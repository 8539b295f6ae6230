namespace P2PNode.Core.Tests.Config;

/// <summary>The repository root: the first folder above the test binaries that holds P2PNode.sln.</summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "P2PNode.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no P2PNode.sln above {AppContext.BaseDirectory}");
    }
}
