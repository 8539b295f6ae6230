namespace P2PNode.Training.State;

/// <summary>
/// Checkpoints are safetensors files (see <see cref="Safetensors"/>) with three required metadata keys:
/// "format" = "p2pnode-checkpoint/v1", "spec" = the model's canonical spec, and "model_hash" = lower-case hex
/// of <see cref="ModelHasher"/> over the stored tensors. One format serves both purposes on purpose: a
/// checkpoint a newcomer fetches is also a file any safetensors tool can open, and the writer is
/// deterministic, so the checkpoint bytes can be content-addressed. Callers may add their own metadata keys
/// (e.g. run id, round); keys starting with "p2pnode." are reserved for later versions.
/// Loading is strict: a different spec, a missing, extra or re-shaped tensor, a non-F32 dtype, a hash mismatch
/// (corruption) or a truncated stream is a <see cref="CheckpointException"/> that says which.
/// </summary>
public static class Checkpoint
{
    public const string Format = "p2pnode-checkpoint/v1";

    public static void Save(Stream output, string specCanonical, ParameterLayout layout, ReadOnlySpan<float> flat, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (extraMetadata is not null)
            foreach (var (k, v) in extraMetadata)
            {
                if (k is "format" or "spec" or "model_hash") throw new ArgumentException($"metadata key '{k}' is written by the checkpoint itself");
                meta[k] = v;
            }
        meta["format"] = Format;
        meta["spec"] = specCanonical;
        meta["model_hash"] = Convert.ToHexStringLower(ModelHasher.Compute(specCanonical, layout, flat));
        Safetensors.Write(output, layout, flat, meta);
    }

    public static LoadedCheckpoint Load(Stream input, string specCanonical, ParameterLayout layout)
    {
        var file = Safetensors.Read(input);
        var meta = file.Metadata;
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new CheckpointException($"checkpoint: format is '{format ?? "(missing)"}', expected '{Format}'");
        if (!meta.TryGetValue("spec", out var spec) || spec != specCanonical)
            throw new CheckpointException($"checkpoint is for a different architecture: it holds '{spec ?? "(no spec)"}', the model is '{specCanonical}'");
        var byName = file.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var missing = layout.Entries.Where(e => !byName.ContainsKey(e.Name)).Select(e => e.Name).ToList();
        var extra = byName.Keys.Except(layout.Entries.Select(e => e.Name), StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new CheckpointException($"checkpoint tensors do not match the model: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}]");
        var flat = new float[layout.Total];
        foreach (var e in layout.Entries)
        {
            var t = byName[e.Name];
            if (t.Dtype != "F32") throw new CheckpointException($"checkpoint tensor '{e.Name}' has dtype {t.Dtype}, expected F32");
            if (!t.Shape.SequenceEqual(e.Shape))
                throw new CheckpointException($"checkpoint tensor '{e.Name}' has shape [{string.Join(",", t.Shape)}], the model needs [{string.Join(",", e.Shape)}]");
            file.ReadF32(e.Name).CopyTo(flat, e.Offset);
        }
        var hash = ModelHasher.Compute(specCanonical, layout, flat);
        var hex = Convert.ToHexStringLower(hash);
        if (!meta.TryGetValue("model_hash", out var stored) || stored != hex)
            throw new CheckpointException($"checkpoint is corrupt: stored model_hash {stored ?? "(missing)"} but the tensors hash to {hex}");
        return new LoadedCheckpoint(flat, hash, meta);
    }
}
