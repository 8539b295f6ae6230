using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PNode.Training.Models;
using P2PNode.Training.State;

namespace P2PNode.Training.Export;

/// <summary>
/// Writes a model for use outside p2pnode: a folder with model.safetensors (a p2pnode checkpoint, i.e. a plain
/// safetensors file with the spec and model hash in its metadata), config.json (<see cref="ExportConfig"/>),
/// provenance.json (<see cref="ExportProvenance"/>) and, for a tokenizer read from a file, that file. Files are
/// written under temporary names and renamed into place, so a crash never leaves a half-written export.
/// </summary>
public static class ModelExporter
{
    public const string ModelFile = "model.safetensors";
    public const string ConfigFile = "config.json";
    public const string ProvenanceFile = "provenance.json";

    public static void Write(string directory, ModelSpec spec, ParameterLayout layout, float[] flat, JsonObject config, JsonObject? provenance, string? tokenizerFile)
    {
        Directory.CreateDirectory(directory);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (config["run"] is { } run) meta["run"] = (string)run!;
        if (config["round"] is { } round) meta["round"] = ((ulong)round!).ToString(CultureInfo.InvariantCulture);
        Atomic(Path.Combine(directory, ModelFile), s => Checkpoint.Save(s, spec.Canonical, layout, flat, meta));
        var indented = new JsonSerializerOptions { WriteIndented = true };
        Atomic(Path.Combine(directory, ConfigFile), s => JsonSerializer.Serialize(s, config, indented));
        if (provenance is not null) Atomic(Path.Combine(directory, ProvenanceFile), s => JsonSerializer.Serialize(s, provenance, indented));
        if (tokenizerFile is not null) File.Copy(tokenizerFile, Path.Combine(directory, Path.GetFileName(tokenizerFile)), overwrite: true);
    }

    private static void Atomic(string path, Action<Stream> write)
    {
        var tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            write(f);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }
}
