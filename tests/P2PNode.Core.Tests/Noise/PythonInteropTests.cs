using System.Diagnostics;
using System.Text;
using P2PNode.Noise;

namespace P2PNode.Core.Tests.Noise;

/// <summary>
/// Interoperability with an independent Noise implementation: Debian's python3-noiseprotocol, run as a
/// subprocess (/usr/bin/python3, installed by bootstrap/setup.sh). One XX handshake with payloads in every
/// message, the handshake hash and static keys compared, one transport message each way, then both sides
/// rekey both directions and exchange one more each way. Lines on stdin/stdout are "tag hex".
/// </summary>
public sealed class PythonInteropTests
{
    private const string Python = "/usr/bin/python3";

    private const string PeerScript = """
        import sys
        from noiseprotocol.connection import NoiseConnection, Keypair

        def out(tag, data):
            sys.stdout.write(tag + ' ' + bytes(data).hex() + '\n')
            sys.stdout.flush()

        def inp(tag):
            parts = sys.stdin.readline().split()
            if not parts or parts[0] != tag:
                raise SystemExit('expected %s, got %r' % (tag, parts))
            return bytes.fromhex(parts[1] if len(parts) > 1 else '')

        role, private_hex, prologue_hex = sys.argv[1:4]
        c = NoiseConnection.from_name(b'Noise_XX_25519_ChaChaPoly_SHA256')
        if role == 'initiator':
            c.set_as_initiator()
        else:
            c.set_as_responder()
        c.set_keypair_from_private_bytes(Keypair.STATIC, bytes.fromhex(private_hex))
        c.set_prologue(bytes.fromhex(prologue_hex))
        c.start_handshake()
        hs = c.noise_protocol.handshake_state  # kept: the connection drops it when the handshake ends
        writing = role == 'initiator'
        i = 0
        while not c.handshake_finished:
            if writing:
                out('msg', c.write_message(b'python handshake %d' % i))
            else:
                out('payload', c.read_message(inp('msg')))
            writing = not writing
            i += 1
        out('hash', c.get_handshake_hash())
        out('rs', hs.rs.public_bytes)
        out('msg', c.encrypt(b'hello from python'))
        out('payload', c.decrypt(inp('msg')))
        c.rekey_outbound_cipher()
        c.rekey_inbound_cipher()
        out('msg', c.encrypt(b'after rekey from python'))
        out('payload', c.decrypt(inp('msg')))
        """;

    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task XX_handshake_and_transport_interoperate_with_python_noiseprotocol(bool dotnetIsInitiator)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing; run bootstrap/setup.sh (python3-noiseprotocol)");
        var ours = HandshakeState.GeneratePrivateKey();
        var theirs = HandshakeState.GeneratePrivateKey();
        var prologue = "p2pnode interop"u8.ToArray();

        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-c", PeerScript, dotnetIsInitiator ? "responder" : "initiator",
                     Convert.ToHexString(theirs), Convert.ToHexString(prologue) })
            start.ArgumentList.Add(arg);
        using var python = Process.Start(start)!;
        var stderr = python.StandardError.ReadToEndAsync();
        var peer = new Peer(python, stderr);

        try
        {
            using var hs = new HandshakeState(HandshakePattern.XX, dotnetIsInitiator, prologue, ours);
            var message = new byte[CipherState.MaxMessageSize];
            var payload = new byte[CipherState.MaxMessageSize];
            for (int i = 0; !hs.IsCompleted; i++)
            {
                if (hs.IsMyTurnToWrite)
                {
                    var sent = Encoding.ASCII.GetBytes($"dotnet handshake {i}");
                    int n = hs.WriteMessage(sent, message);
                    await peer.Send("msg", message.AsSpan(0, n).ToArray());
                    Assert.Equal(sent, await peer.Expect("payload"));
                }
                else
                {
                    int p = hs.ReadMessage(await peer.Expect("msg"), payload);
                    Assert.Equal($"python handshake {i}", Encoding.ASCII.GetString(payload, 0, p));
                }
            }

            Assert.Equal(Convert.ToHexString(hs.HandshakeHash), Convert.ToHexString(await peer.Expect("hash")));
            Assert.Equal(HandshakeState.PublicKeyOf(ours), await peer.Expect("rs"));
            Assert.Equal(HandshakeState.PublicKeyOf(theirs), hs.RemoteStaticPublicKey);

            var (send, receive) = hs.Split();
            using (send) using (receive)
            {
                await Exchange(peer, send, receive, "hello from python", "hello from dotnet");
                send.Rekey();
                receive.Rekey();
                await Exchange(peer, send, receive, "after rekey from python", "after rekey from dotnet");
            }

            Assert.True(python.WaitForExit(TimeSpan.FromSeconds(30)), "python peer did not exit");
            Assert.True(python.ExitCode == 0, $"python peer exited with {python.ExitCode}: {await stderr}");
        }
        finally
        {
            if (!python.HasExited)
                python.Kill();
        }
    }

    private static async Task Exchange(Peer peer, CipherState send, CipherState receive, string fromPython, string fromDotnet)
    {
        var buffer = new byte[CipherState.MaxMessageSize];
        var received = await peer.Expect("msg");
        int p = receive.Decrypt(default, received, buffer);
        Assert.Equal(fromPython, Encoding.ASCII.GetString(buffer, 0, p));
        int n = send.Encrypt(default, Encoding.ASCII.GetBytes(fromDotnet), buffer);
        await peer.Send("msg", buffer[..n]);
        var echoed = await peer.Expect("payload");
        Assert.Equal(fromDotnet, Encoding.ASCII.GetString(echoed));
    }

    /// <summary>The python side of the line protocol; a stalled or crashed peer fails with its stderr.</summary>
    private sealed class Peer(Process process, Task<string> stderr)
    {
        public async Task Send(string tag, byte[] data)
        {
            await process.StandardInput.WriteLineAsync($"{tag} {Convert.ToHexString(data)}");
            await process.StandardInput.FlushAsync();
        }

        public async Task<byte[]> Expect(string tag)
        {
            string? line;
            try
            {
                line = await process.StandardOutput.ReadLineAsync().WaitAsync(LineTimeout);
            }
            catch (TimeoutException)
            {
                process.Kill();
                throw new Xunit.Sdk.XunitException($"python peer sent no '{tag}' line within {LineTimeout}: {await stderr}");
            }
            if (line is null)
                Assert.Fail($"python peer ended before sending '{tag}': {await stderr}");
            var parts = line.Split(' ');
            Assert.True(parts[0] == tag, $"expected '{tag}' from python, got '{line}'");
            return Convert.FromHexString(parts.Length > 1 ? parts[1] : "");
        }
    }
}
