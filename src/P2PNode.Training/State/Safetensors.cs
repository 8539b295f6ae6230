using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace P2PNode.Training.State;

/// <summary>
/// Reads and writes the safetensors format (as published by Hugging Face): 8-byte little-endian unsigned header
/// length N, then N bytes of UTF-8 JSON, then the data section. The JSON maps each tensor name to
/// {"dtype":"F32","shape":[…],"data_offsets":[begin,end]} (byte offsets into the data section, end exclusive) and
/// may hold "__metadata__": a string→string map.
/// Our writer is deterministic (the same inputs give the same bytes, so files can be content-addressed): keys in
/// layout order after "__metadata__" (whose keys are sorted ordinally), no whitespace, the header padded with
/// spaces to a multiple of 8 bytes, tensors stored contiguously in layout order. Torch-free.
/// </summary>
public static class Safetensors
{
    /// <summary>Headers larger than this are refused before allocating (a hostile file could claim 2^64 bytes).</summary>
    public const long MaxHeaderBytes = 16 << 20;

    public static void Write(Stream output, ParameterLayout layout, ReadOnlySpan<float> flat, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (flat.Length != layout.Total) throw new ArgumentException($"flat vector has {flat.Length} elements, layout needs {layout.Total}");
        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            foreach (var e in layout.Entries)
            {
                w.WriteStartObject(e.Name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (var d in e.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(4 * e.Offset);
                w.WriteNumberValue(4 * (e.Offset + e.Count));
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        var pad = (int)((8 - json.Length % 8) % 8);
        for (var i = 0; i < pad; i++) json.WriteByte((byte)' ');
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)json.Length);
        output.Write(len);
        json.Position = 0;
        json.CopyTo(output);
        var buf = new byte[64 * 1024];
        for (var i = 0; i < flat.Length; i += buf.Length / 4)
        {
            var n = Math.Min(buf.Length / 4, flat.Length - i);
            for (var j = 0; j < n; j++) BinaryPrimitives.WriteSingleLittleEndian(buf.AsSpan(4 * j), flat[i + j]);
            output.Write(buf, 0, 4 * n);
        }
    }

    /// <summary>
    /// Parses and validates a whole safetensors stream: header size cap, JSON shape, dtypes F32/F16/BF16/I64/…
    /// with matching byte lengths, offsets that tile the data section exactly (no gaps, no overlaps), and no bytes
    /// after the data. Every problem is a <see cref="CheckpointException"/> saying what is wrong.
    /// </summary>
    public static SafetensorsFile Read(Stream input)
    {
        Span<byte> len = stackalloc byte[8];
        ReadExactly(input, len, "the 8-byte header length");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (headerLength == 0 || headerLength > MaxHeaderBytes)
            throw new CheckpointException($"safetensors: header length {headerLength} is outside (0, {MaxHeaderBytes}]");
        var header = new byte[headerLength];
        ReadExactly(input, header, $"the {headerLength}-byte JSON header");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<SafetensorsTensor>();
        try
        {
            using var doc = JsonDocument.Parse(header);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new CheckpointException("safetensors: header is not a JSON object");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name)) throw new CheckpointException($"safetensors: duplicate key '{prop.Name}' in header");
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw new CheckpointException("safetensors: __metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : throw new CheckpointException($"safetensors: metadata '{m.Name}' is not a string");
                    continue;
                }
                tensors.Add(ParseEntry(prop));
            }
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"safetensors: header is not valid JSON ({e.Message})");
        }

        tensors.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        long expected = 0;
        foreach (var t in tensors)
        {
            if (t.Begin != expected) throw new CheckpointException($"safetensors: tensor '{t.Name}' starts at byte {t.Begin}, expected {expected} (gap or overlap)");
            expected = t.End;
        }
        if (expected > int.MaxValue) throw new CheckpointException($"safetensors: data section of {expected} bytes is larger than supported ({int.MaxValue})");
        var data = new byte[expected];
        ReadExactly(input, data, $"the {expected}-byte data section");
        if (input.ReadByte() != -1) throw new CheckpointException("safetensors: unexpected bytes after the data section");
        return new SafetensorsFile(metadata, tensors, data);
    }

    private static readonly Dictionary<string, int> DtypeSizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1, ["U8"] = 1, ["BOOL"] = 1,
    };

    private static SafetensorsTensor ParseEntry(JsonProperty prop)
    {
        var name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw new CheckpointException($"safetensors: entry '{name}' is not an object");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) throw new CheckpointException($"safetensors: entry '{name}' has no string dtype");
        var dtype = dt.GetString()!;
        if (!DtypeSizes.TryGetValue(dtype, out var size)) throw new CheckpointException($"safetensors: entry '{name}' has unsupported dtype '{dtype}'");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array) throw new CheckpointException($"safetensors: entry '{name}' has no shape array");
        var shape = new List<long>();
        long count = 1;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var dim) || dim < 0 || dim > int.MaxValue)
                throw new CheckpointException($"safetensors: entry '{name}' has an invalid dimension {d}");
            shape.Add(dim);
            count = checked(count * dim);
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2
            || !off[0].TryGetInt64(out var begin) || !off[1].TryGetInt64(out var end) || begin < 0 || end < begin)
            throw new CheckpointException($"safetensors: entry '{name}' has invalid data_offsets");
        if (end - begin != count * size)
            throw new CheckpointException($"safetensors: entry '{name}' spans {end - begin} bytes but shape [{string.Join(",", shape)}] of {dtype} needs {count * size}");
        return new SafetensorsTensor(name, dtype, shape.ToArray(), begin, end);
    }

    private static void ReadExactly(Stream s, Span<byte> buffer, string what)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = s.Read(buffer[total..]);
            if (n == 0) throw new CheckpointException($"safetensors: truncated while reading {what} ({total} of {buffer.Length} bytes present)");
            total += n;
        }
    }
}
