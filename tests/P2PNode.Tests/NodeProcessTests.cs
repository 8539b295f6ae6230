using System.Globalization;

namespace P2PNode.Tests;

/// <summary>The process helper itself: line waiting, exit detection, timeouts and tree kill.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class NodeProcessTests
{
    [Fact]
    public async Task Finds_a_line_already_printed_by_an_exited_process()
    {
        await using var p = NodeProcess.Start(["version"]);
        Assert.Equal(0, await p.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var line = await p.WaitForLineAsync(l => l.StartsWith("p2pnode/", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.StartsWith("p2pnode/", line);
    }

    [Fact]
    public async Task Reports_exit_without_a_matching_line_instead_of_waiting_for_the_timeout()
    {
        await using var p = NodeProcess.Start(["no-such-command"]);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => p.WaitForLineAsync(_ => true, TimeSpan.FromSeconds(60)));
        Assert.Contains("exited (code 2)", e.Message);
        Assert.Contains("err| p2pnode: unknown command 'no-such-command'", e.Message);
    }

    [Fact]
    public async Task Times_out_and_dispose_kills_the_whole_process_tree()
    {
        int child;
        await using (var p = NodeProcess.StartExecutable("/bin/sh", ["-c", "sleep 300 & echo child $!; echo to-stderr >&2; wait"]))
        {
            var line = await p.WaitForLineAsync(l => l.StartsWith("child ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            child = int.Parse(line["child ".Length..], CultureInfo.InvariantCulture);
            Assert.Equal("to-stderr", await p.WaitForLineAsync(l => l == "to-stderr", TimeSpan.FromSeconds(30), NodeStream.Stderr));
            await Assert.ThrowsAsync<TimeoutException>(() => p.WaitForLineAsync(l => l == "never", TimeSpan.FromMilliseconds(200)));
            Assert.True(IsAlive(child));
        }
        // Bounded poll: a loaded machine may take a while to deliver the kill and reap.
        await Eventually.UntilAsync(() => !IsAlive(child), $"child {child} to be gone after dispose", TimeSpan.FromSeconds(30),
            interval: TimeSpan.FromMilliseconds(100));
    }

    // Gone, or a zombie waiting for a reaper: either way no longer running.
    private static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
