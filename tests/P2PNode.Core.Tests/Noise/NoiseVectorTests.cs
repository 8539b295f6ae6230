using P2PNode.Noise;

namespace P2PNode.Core.Tests.Noise;

/// <summary>
/// Every vector of tests/vectors/noise-vectors.json (cacophony "vectors" and snow "supplementary"):
/// handshake messages byte-exact in both directions, the final handshake hash, the learned static keys,
/// then the transport messages, which keep alternating initiator, responder, ... after the handshake.
/// </summary>
public sealed class NoiseVectorTests
{
    public static IEnumerable<object[]> AllVectors() =>
        NoiseVectorFile.Load().Select(v => new object[] { v.Section, v.Index, v.ProtocolName });

    [Fact]
    public void File_covers_NN_XX_and_IK_in_both_sections()
    {
        var vectors = NoiseVectorFile.Load();
        foreach (var section in NoiseVectorFile.Sections)
        {
            var names = vectors.Where(v => v.Section == section).Select(v => v.ProtocolName).ToHashSet();
            Assert.Equal(
                Enum.GetValues<HandshakePattern>().Select(HandshakeState.ProtocolName).ToHashSet(),
                names);
        }
        // cacophony vectors carry the handshake hash; snow's do not (checked for agreement instead)
        Assert.All(vectors.Where(v => v.Section == "vectors"), v => Assert.NotNull(v.HandshakeHash));
    }

    [Theory]
    [MemberData(nameof(AllVectors))]
    public void Vector_is_reproduced_byte_for_byte(string section, int index, string protocolName)
    {
        var v = NoiseVectorFile.Load().Single(x => x.Section == section && x.Index == index);
        var pattern = Enum.Parse<HandshakePattern>(protocolName.Split('_')[1]);
        Assert.Equal(protocolName, HandshakeState.ProtocolName(pattern));

        using var init = new HandshakeState(pattern, true, v.InitPrologue, v.InitStatic, v.InitRemoteStatic, v.InitEphemeral);
        using var resp = new HandshakeState(pattern, false, v.RespPrologue, v.RespStatic, null, v.RespEphemeral);
        var message = new byte[CipherState.MaxMessageSize];
        var payload = new byte[CipherState.MaxMessageSize];

        int i = 0;
        for (; !init.IsCompleted; i++)
        {
            Assert.True(i < v.Messages.Count, "the vector ends before the handshake completes");
            var (writer, reader) = i % 2 == 0 ? (init, resp) : (resp, init);
            Assert.True(writer.IsMyTurnToWrite);
            Assert.False(reader.IsMyTurnToWrite);
            int n = writer.WriteMessage(v.Messages[i].Payload, message);
            Assert.Equal(Convert.ToHexString(v.Messages[i].Ciphertext), Convert.ToHexString(message, 0, n));
            int p = reader.ReadMessage(message.AsSpan(0, n), payload);
            Assert.Equal(Convert.ToHexString(v.Messages[i].Payload), Convert.ToHexString(payload, 0, p));
        }
        Assert.True(resp.IsCompleted);
        Assert.False(init.IsMyTurnToWrite || resp.IsMyTurnToWrite);

        Assert.Equal(init.HandshakeHash, resp.HandshakeHash);
        if (v.HandshakeHash is not null)
            Assert.Equal(Convert.ToHexString(v.HandshakeHash), Convert.ToHexString(init.HandshakeHash));
        if (v.InitRemoteStatic is not null)
            Assert.Equal(v.InitRemoteStatic, HandshakeState.PublicKeyOf(v.RespStatic!));
        Assert.Equal(v.RespStatic is null ? null : HandshakeState.PublicKeyOf(v.RespStatic), init.RemoteStaticPublicKey);
        Assert.Equal(v.InitStatic is null ? null : HandshakeState.PublicKeyOf(v.InitStatic), resp.RemoteStaticPublicKey);

        var (initSend, initReceive) = init.Split();
        var (respSend, respReceive) = resp.Split();
        using (initSend) using (initReceive) using (respSend) using (respReceive)
        {
            Assert.True(i < v.Messages.Count, "the vector has no transport messages to check");
            for (; i < v.Messages.Count; i++)
            {
                var (send, receive) = i % 2 == 0 ? (initSend, respReceive) : (respSend, initReceive);
                ulong before = send.Nonce;
                int n = send.Encrypt(ReadOnlySpan<byte>.Empty, v.Messages[i].Payload, message);
                Assert.Equal(Convert.ToHexString(v.Messages[i].Ciphertext), Convert.ToHexString(message, 0, n));
                int p = receive.Decrypt(ReadOnlySpan<byte>.Empty, message.AsSpan(0, n), payload);
                Assert.Equal(Convert.ToHexString(v.Messages[i].Payload), Convert.ToHexString(payload, 0, p));
                Assert.Equal(before + 1, send.Nonce);
                Assert.Equal(send.Nonce, receive.Nonce);
            }
        }
    }
}
