using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using P2PNode.Compression;
using P2PNode.Hashing;
using P2PNode.Identity;
using P2PNode.Ledger.Entries;
using P2PNode.Ledger.Storage;
using P2PNode.Tests.Ledger;
using P2PNode.Training.Runtime;
using P2PNode.Transfer;

namespace P2PNode.Tests.Runtime;

/// <summary>
/// tests/interop/runtime_message.py, written from docs/runtime.md §2 and docs/ledger.md alone, must accept the
/// Contribution and Status payloads a node really sends (real signed ledger entries) and refuse tampered copies
/// for the reason the C# decoder refuses them.
/// </summary>
public sealed class RuntimeMessageInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p2pnode-runmsg-").FullName;
    private readonly NodeIdentity _id = NodeIdentity.Generate();
    private readonly LedgerStore _ledger;
    private readonly byte[] _run;
    private readonly byte[] _base = SHA256.HashData("base model"u8);
    private readonly byte[] _delta;
    private readonly SignedEntry _entry;
    private readonly SignedEntry _join;
    private readonly byte[] _message;

    public RuntimeMessageInteropTests()
    {
        _ledger = LedgerStore.Open(Path.Combine(_dir, "ledger.db"));
        _run = _ledger.AppendOwn(_id.SigningKey, new RunGenesisBody
        {
            Name = "interop", Model = "mlp/v1", Hyperparameters = new RunSpec { Model = "mlp" }.ToJson(), DataPolicy = "none", InitialModel = _base,
        }, new byte[32]).Hash;
        _join = _ledger.AppendOwn(_id.SigningKey, new JoinBody { NodeId = _id.PeerId.ToString(), DisplayName = "é ünïcode", Organisation = "", Hardware = "", SoftwareVersion = "" }, _run);
        _delta = new DeltaEncoder(DeltaCodecSpec.Parse("topk:0.1+int8/64")).Encode(Enumerable.Range(0, 500).Select(i => MathF.Sin(i) * 1e-2f).ToArray());
        _entry = _ledger.AppendOwn(_id.SigningKey, new ContributionBody
        {
            Round = 7, BaseModel = _base, PayloadHash = SHA256.HashData(_delta), PayloadSize = (ulong)_delta.Length, Samples = 320,
            InnerSteps = 5, LossBefore = 2.25, LossAfter = 1.5, ComputeSeconds = 0.75,
            Metrics = [new Metric("accuracy", 0.5), new Metric("grad_norm", 3.25)],
        }, _run);
        _message = RunMessage.EncodeContribution(_entry, _delta);
    }

    public void Dispose()
    {
        _ledger.Dispose();
        _id.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private Dictionary<string, JsonObject> Check(IReadOnlyDictionary<string, byte[]> messages, params string[] flags)
    {
        var files = messages.Select(kv => { var f = Path.Combine(_dir, kv.Key + ".bin"); File.WriteAllBytes(f, kv.Value); return f; }).ToList();
        var (exit, stdout, stderr) = LedgerProcess.Run(LedgerProcess.Python,
            [LedgerProcess.RepoFile("tests/interop/runtime_message.py"), .. flags, .. files], TimeSpan.FromSeconds(60));
        Assert.True(exit is 0 or 1, $"checker crashed ({exit}): {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(files.Count, lines.Count);
        Assert.Equal(lines.All(l => (bool)l["ok"]!) ? 0 : 1, exit);
        return lines.ToDictionary(l => Path.GetFileNameWithoutExtension((string)l["file"]!), l => l);
    }

    private byte[] Tampered(Action<byte[]> edit)
    {
        var m = (byte[])_message.Clone();
        edit(m);
        return m;
    }

    [SkippableFact]
    public void AcceptsRealMessagesAndAgreesOnEveryField()
    {
        Skip.IfNot(LedgerProcess.PythonHasNacl(), "Debian's /usr/bin/python3 with python3-nacl is not installed");
        var sketch = Enumerable.Range(0, 32).Select(i => i * 0.5f - 3).ToArray();
        var model = SHA256.HashData("theta"u8);
        var r = Check(new Dictionary<string, byte[]>
        {
            ["contribution"] = _message,
            ["status"] = RunMessage.EncodeStatus(12, model, sketch),
            ["status0"] = RunMessage.EncodeStatus(0, model, []),
            ["momentum"] = RunMessage.EncodeStatus(new RunStatus(4, Digest256.FromBytes(model, "model"), default, sketch, ObjectId.FromBytes(SHA256.HashData("state"u8)))),
        }, "--run", Convert.ToHexStringLower(_run), "--origin", Convert.ToHexStringLower(_id.PublicKey));
        var c = r["contribution"];
        Assert.True((bool)c["ok"]!, c.ToJsonString());
        Assert.Equal("contribution", (string)c["kind"]!);
        Assert.Equal(7, (int)c["round"]!);
        Assert.Equal(Convert.ToHexStringLower(_entry.Hash), (string)c["entry_hash"]!);
        Assert.Equal(Convert.ToHexStringLower(_id.PublicKey), (string)c["author"]!);
        Assert.Equal(Convert.ToHexStringLower(_base), (string)c["base_model"]!);
        Assert.Equal(_delta.Length, (int)c["payload_size"]!);
        Assert.Equal(320, (int)c["samples"]!);
        Assert.True((bool)r["status"]["ok"]!, r["status"].ToJsonString());
        Assert.Equal(12, (int)r["status"]["round"]!);
        Assert.Equal(Convert.ToHexStringLower(model), (string)r["status"]["model"]!);
        Assert.Equal(32, (int)r["status"]["n"]!);
        Assert.True((bool)r["status0"]["ok"]!);
        Assert.Null(r["status"]["momentum"]);
        Assert.True((bool)r["momentum"]["ok"]!, r["momentum"].ToJsonString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("state"u8)), (string)r["momentum"]["momentum"]!);
        Assert.Equal(32, (int)r["momentum"]["n"]!);
    }

    [SkippableFact]
    public void RefusesTamperedContributionsForTheSameReasonAsTheNode()
    {
        Skip.IfNot(LedgerProcess.PythonHasNacl(), "Debian's /usr/bin/python3 with python3-nacl is not installed");
        var l = _entry.Bytes.Length;
        var cases = new Dictionary<string, (byte[] Message, string Reason)>
        {
            ["empty"] = ([], "header"),
            ["one"] = ([1], "header"),
            ["short"] = ([1, 1, 0, 0], "header"),
            ["version"] = (Tampered(m => m[0] = 2), "version"),
            ["kind"] = (Tampered(m => m[1] = 9), "kind"),
            ["length"] = (Tampered(m => BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(2), (uint)(m.Length - 6 - 63))), "length"),
            ["hugelength"] = (Tampered(m => BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(2), uint.MaxValue)), "length"),
            ["entryversion"] = (Tampered(m => m[6] = 3), "entry"),
            ["entrykind"] = (Tampered(m => m[7] = 42), "entry"),
            ["entryshort"] = (Tampered(m => BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(2), (uint)l - 1)), "entry"),
            ["join"] = (RunMessage.EncodeContribution(_join, []), "not_contribution"),
            ["signature"] = (Tampered(m => m[6 + l + 5] ^= 0x20), "signature"),
            ["entrybody"] = (Tampered(m => m[6 + 2 + 32 + 8 + 32 + 8 + 32 + 7] ^= 1), "signature"), // round's low byte
            ["deltalonger"] = ([.. _message, 0], "payload_size"),
            ["deltashorter"] = (_message[..^1], "payload_size"),
            ["deltaflip"] = (Tampered(m => m[^3] ^= 0x01), "payload_hash"),
        };
        var r = Check(cases.ToDictionary(kv => kv.Key, kv => kv.Value.Message));
        foreach (var (name, (message, reason)) in cases)
        {
            Assert.False((bool)r[name]["ok"]!, $"{name}: the checker accepted it");
            Assert.True(reason == (string)r[name]["reason"]!, $"{name}: expected {reason}, got {r[name].ToJsonString()}");
            Assert.Throws<InvalidDataException>(() => RunMessage.DecodeContribution(message));
        }
    }

    [SkippableFact]
    public void RefusesAContributionOfAnotherAuthorOrRun()
    {
        Skip.IfNot(LedgerProcess.PythonHasNacl(), "Debian's /usr/bin/python3 with python3-nacl is not installed");
        using var other = NodeIdentity.Generate();
        var m = new Dictionary<string, byte[]> { ["m"] = _message };
        Assert.Equal("not_author", (string)Check(m, "--origin", Convert.ToHexStringLower(other.PublicKey))["m"]["reason"]!);
        Assert.Equal("wrong_run", (string)Check(m, "--run", new string('a', 64))["m"]["reason"]!);
    }

    [SkippableFact]
    public void RefusesMalformedStatuses()
    {
        Skip.IfNot(LedgerProcess.PythonHasNacl(), "Debian's /usr/bin/python3 with python3-nacl is not installed");
        var hash = new byte[32];
        var good = RunMessage.EncodeStatus(3, hash, new float[32]);
        var big = new byte[76 + 4 * 65];
        good[..74].CopyTo(big, 0);
        BinaryPrimitives.WriteUInt16BigEndian(big.AsSpan(74), 65);
        var nan = new float[32];
        nan[31] = float.NaN;
        var cases = new Dictionary<string, (byte[] Message, string Reason, bool CodecRefuses)>
        {
            ["n65"] = (big, "status_n", true),
            ["shorter"] = (good[..^1], "status_length", true),
            ["longer"] = ([.. good, 0], "status_length", true),
            ["longer33"] = ([.. good, .. new byte[33]], "status_length", true), // the optional momentum field is 32 bytes
            ["header"] = (good[..75], "status_length", true),
            ["nan"] = (RunMessage.EncodeStatus(3, hash, nan), "status_value", true),
            ["inf"] = (RunMessage.EncodeStatus(3, hash, [.. new float[31], float.NegativeInfinity]), "status_value", true),
            // Well-formed but of another size than p2pnode's 32: refused by the node (TrainingNode.Validate).
            ["n16"] = (RunMessage.EncodeStatus(3, hash, new float[16]), "status_size", false),
        };
        var r = Check(cases.ToDictionary(kv => kv.Key, kv => kv.Value.Message));
        foreach (var (name, (message, reason, codecRefuses)) in cases)
        {
            Assert.True(reason == (string?)r[name]["reason"], $"{name}: expected {reason}, got {r[name].ToJsonString()}");
            if (codecRefuses) Assert.Throws<InvalidDataException>(() => RunMessage.DecodeStatus(message));
        }
    }
}
