using System.IO.Compression;
using System.Text;

namespace P2PNode.Training.Tests.Text;

/// <summary>Writes corpus files for tests.</summary>
internal static class CorpusFiles
{
    public static string Write(this TempDir dir, string name, string text)
    {
        var path = dir.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WriteBytes(path, Encoding.UTF8.GetBytes(text));
        return path;
    }

    public static string WriteBytes(this TempDir dir, string name, byte[] bytes)
    {
        var path = dir.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WriteBytes(path, bytes);
        return path;
    }

    /// <summary>Gzips when the name ends in .gz.</summary>
    private static void WriteBytes(string path, byte[] bytes)
    {
        if (!path.EndsWith(".gz", StringComparison.Ordinal)) { File.WriteAllBytes(path, bytes); return; }
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gz.Write(bytes);
    }
}
