namespace P2PNode.Core.Tests;

/// <summary>
/// Test vector files kept in the repository (tests/vectors/, each naming its source), copied beside the test
/// binary by the project file: a bare clone passes its own tests. A missing file fails the test loudly.
/// </summary>
public static class TestVectors
{
    /// <summary>Full path of vectors/&lt;name&gt; next to the test binary, e.g. Path("noise-vectors.json").</summary>
    public static string Path(string name)
    {
        var path = System.IO.Path.Combine(AppContext.BaseDirectory, "vectors", name);
        if (!File.Exists(path)) Assert.Fail($"test vector file {path} is missing (tests/vectors/{name} in the repository)");
        return path;
    }
}
