namespace P2PNode.Tests.Runtime;

/// <summary>
/// docs/runtime.md: the genesis pins the tokenizer by content hash. A node given a different vocabulary file under the
/// same name refuses the run (a `failed` event naming both hashes, exit status 1) instead of training on ids that mean
/// something else to every other node.
/// </summary>
public sealed class TokenizerPinningTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p2pnode-tokpin-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public async Task ANodeWithADifferentVocabularyRefusesTheRun()
    {
        var english = Path.Combine(_dir, "en.txt");
        var german = Path.Combine(_dir, "de.txt");
        await File.WriteAllTextAsync(english, string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog\n", 400)));
        await File.WriteAllTextAsync(german, string.Concat(Enumerable.Repeat("zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich\n", 400)));
        var ours = Path.Combine(_dir, "a", "vocab.tiktoken");
        var theirs = Path.Combine(_dir, "b", "vocab.tiktoken"); // same file name, other content
        Directory.CreateDirectory(Path.GetDirectoryName(ours)!);
        Directory.CreateDirectory(Path.GetDirectoryName(theirs)!);
        foreach (var (file, text) in new[] { (ours, english), (theirs, german) })
        {
            var train = await NodeProcess.RunAsync(["tokenizer", "train", "--vocab", "300", "--out", file, text]);
            Assert.True(train.ExitCode == 0, train.ToString());
        }
        var node = Path.Combine(_dir, "node");
        Assert.Equal(0, (await NodeProcess.RunAsync(["init", "--dir", node])).ExitCode);
        var created = await NodeProcess.RunAsync(["run", "new", "--config", Path.Combine(node, "node.toml"), "--model", "lm", "--preset", "tiny",
            "--tokenizer", "file:" + ours, "--rounds", "1", "--inner-steps", "1"]);
        Assert.True(created.ExitCode == 0, created.ToString());
        var run = created.Stdout.Single(l => l.StartsWith("run ", StringComparison.Ordinal))[4..];

        await using var process = NodeProcess.Start(["run", "--config", Path.Combine(node, "node.toml"), "--listen", "127.0.0.1:0", "--run", run,
            "--corpus", english, "--tokenizer-file", theirs, "--exit-when-done"]);
        var failed = await process.WaitForLineAsync(l => l.StartsWith("{\"event\":\"failed\"", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Contains("refusing the run", failed, StringComparison.Ordinal);
        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
