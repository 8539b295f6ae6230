namespace P2PNode.Core.Tests;

/// <summary>
/// Finds files in the project's shared/ folder, which sits beside the repository (clone at &lt;root&gt;/main or
/// any other folder name, shared at &lt;root&gt;/shared), both on developer machines and in CI's fresh clone.
/// P2PNODE_SHARED, when set, names the shared folder itself and is the only place looked at.
/// A missing file fails the test with the places searched: vectors are never silently skipped.
/// </summary>
public static class SharedFiles
{
    public const string EnvironmentVariable = "P2PNODE_SHARED";

    /// <summary>Full path of shared/&lt;parts...&gt;, e.g. Path("vectors", "noise-vectors.json").</summary>
    public static string Path(params string[] parts)
    {
        var relative = System.IO.Path.Combine(parts);
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            var candidate = System.IO.Path.Combine(fromEnvironment, relative);
            if (File.Exists(candidate))
                return candidate;
            Assert.Fail($"{EnvironmentVariable}={fromEnvironment} is set but {candidate} does not exist");
        }

        var searched = new List<string>();
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", relative);
            if (File.Exists(candidate))
                return candidate;
            searched.Add(candidate);
        }
        Assert.Fail($"shared file '{relative}' not found: looked for shared/{relative} in every parent of " +
            $"{AppContext.BaseDirectory} ({string.Join(", ", searched)}). Put the shared folder beside the " +
            $"repository or set {EnvironmentVariable} to it.");
        return null!; // unreachable: Assert.Fail throws
    }
}
