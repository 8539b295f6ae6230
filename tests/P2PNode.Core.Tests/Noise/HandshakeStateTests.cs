using P2PNode.Noise;

namespace P2PNode.Core.Tests.Noise;

public sealed class HandshakeStateTests
{
    private static readonly byte[] Prologue = "p2pnode test"u8.ToArray();

    [Theory]
    [InlineData(HandshakePattern.NN)]
    [InlineData(HandshakePattern.XX)]
    [InlineData(HandshakePattern.IK)]
    public void Random_keys_handshake_then_transport_both_ways(HandshakePattern pattern)
    {
        var (initStatic, respStatic) = pattern == HandshakePattern.NN
            ? (null, null)
            : (HandshakeState.GeneratePrivateKey(), HandshakeState.GeneratePrivateKey());
        var respPublic = respStatic is null ? null : HandshakeState.PublicKeyOf(respStatic);
        using var init = new HandshakeState(pattern, true, Prologue, initStatic,
            pattern == HandshakePattern.IK ? respPublic : null);
        using var resp = new HandshakeState(pattern, false, Prologue, respStatic);

        var payloads = Run(init, resp);
        Assert.All(payloads, p => Assert.True(p.Sent.AsSpan().SequenceEqual(p.Received)));

        Assert.Equal(init.HandshakeHash, resp.HandshakeHash);
        Assert.Equal(respPublic, init.RemoteStaticPublicKey);
        Assert.Equal(initStatic is null ? null : HandshakeState.PublicKeyOf(initStatic), resp.RemoteStaticPublicKey);

        var (initSend, initReceive) = init.Split();
        var (respSend, respReceive) = resp.Split();
        using (initSend) using (initReceive) using (respSend) using (respReceive)
        {
            AssertTransport(initSend, respReceive, "to responder"u8);
            AssertTransport(respSend, initReceive, "to initiator"u8);
            // the two directions use different keys: a message cannot be reflected back to its sender
            var ct = new byte[3 + CipherState.TagSize];
            initSend.Encrypt(default, "abc"u8, ct);
            Assert.Throws<NoiseException>(() => initReceive.Decrypt(default, ct, new byte[3]));
        }
    }

    [Fact]
    public void Two_sessions_with_the_same_keys_get_different_hashes_and_keys()
    {
        var a = HandshakeState.GeneratePrivateKey();
        var b = HandshakeState.GeneratePrivateKey();
        using var i1 = new HandshakeState(HandshakePattern.XX, true, Prologue, a);
        using var r1 = new HandshakeState(HandshakePattern.XX, false, Prologue, b);
        using var i2 = new HandshakeState(HandshakePattern.XX, true, Prologue, a);
        using var r2 = new HandshakeState(HandshakePattern.XX, false, Prologue, b);
        Run(i1, r1);
        Run(i2, r2);
        Assert.NotEqual(i1.HandshakeHash, i2.HandshakeHash); // fresh ephemerals each time
    }

    [Fact]
    public void Tampered_handshake_message_fails_and_poisons_the_state()
    {
        using var init = NewXx(true);
        using var resp = NewXx(false);
        var message = new byte[200];
        int n = init.WriteMessage("hi"u8, message);
        resp.ReadMessage(message.AsSpan(0, n), new byte[10]);
        n = resp.WriteMessage("there"u8, message);
        message[40] ^= 0x80; // inside the encrypted responder static key
        Assert.Throws<NoiseException>(() => init.ReadMessage(message.AsSpan(0, n), new byte[10]));
        Assert.False(init.IsMyTurnToWrite);
        Assert.False(init.IsCompleted);
        Assert.Throws<NoiseException>(() => init.WriteMessage(default, new byte[200]));
        Assert.Throws<InvalidOperationException>(() => init.Split());
        Assert.Throws<InvalidOperationException>(() => init.HandshakeHash);
    }

    [Fact]
    public void Messages_out_of_order_are_rejected()
    {
        using var init = NewXx(true);
        using var resp = NewXx(false);
        var message = new byte[200];
        Assert.True(init.IsMyTurnToWrite);
        Assert.Throws<NoiseException>(() => init.ReadMessage(new byte[32], new byte[10])); // reading on our turn to write
        Assert.Throws<NoiseException>(() => resp.WriteMessage(default, message));          // writing before reading
        int n = init.WriteMessage(default, message);
        Assert.Throws<NoiseException>(() => init.WriteMessage(default, message));          // writing twice
        resp.ReadMessage(message.AsSpan(0, n), default);
        Assert.Throws<NoiseException>(() => resp.ReadMessage(message.AsSpan(0, n), default)); // replaying message 1
    }

    [Fact]
    public void Using_a_completed_handshake_again_is_rejected()
    {
        using var init = NewXx(true);
        using var resp = NewXx(false);
        Run(init, resp);
        Assert.Throws<NoiseException>(() => init.WriteMessage(default, new byte[200]));
        Assert.Throws<NoiseException>(() => resp.ReadMessage(new byte[64], new byte[64]));
        var (send, receive) = init.Split();
        send.Dispose();
        receive.Dispose();
        Assert.Throws<InvalidOperationException>(() => init.Split());
    }

    [Fact]
    public void IK_initiator_with_the_wrong_responder_key_fails()
    {
        var respStatic = HandshakeState.GeneratePrivateKey();
        var wrongPublic = HandshakeState.PublicKeyOf(HandshakeState.GeneratePrivateKey());
        using var init = new HandshakeState(HandshakePattern.IK, true, Prologue, HandshakeState.GeneratePrivateKey(), wrongPublic);
        using var resp = new HandshakeState(HandshakePattern.IK, false, Prologue, respStatic);
        var message = new byte[200];
        int n = init.WriteMessage("secret"u8, message);
        Assert.Throws<NoiseException>(() => resp.ReadMessage(message.AsSpan(0, n), new byte[50]));
        Assert.Null(resp.RemoteStaticPublicKey);
    }

    [Fact]
    public void Different_prologues_fail_at_the_first_authenticated_message()
    {
        using var init = new HandshakeState(HandshakePattern.XX, true, "v1"u8, HandshakeState.GeneratePrivateKey());
        using var resp = new HandshakeState(HandshakePattern.XX, false, "v2"u8, HandshakeState.GeneratePrivateKey());
        var message = new byte[200];
        int n = init.WriteMessage(default, message);
        resp.ReadMessage(message.AsSpan(0, n), default); // message 1 is not authenticated yet
        n = resp.WriteMessage(default, message);
        Assert.Throws<NoiseException>(() => init.ReadMessage(message.AsSpan(0, n), new byte[10]));
    }

    [Fact]
    public void Payload_too_large_is_rejected_without_changing_the_state()
    {
        using var init = NewXx(true);
        using var resp = NewXx(false);
        var message = new byte[CipherState.MaxMessageSize + 100];
        const int maxFirstPayload = CipherState.MaxMessageSize - 32; // XX message 1: e then a plaintext payload
        Assert.Throws<ArgumentException>(() => init.WriteMessage(new byte[maxFirstPayload + 1], message));
        Assert.True(init.IsMyTurnToWrite);
        Assert.Throws<ArgumentException>(() => init.WriteMessage(new byte[10], new byte[41])); // buffer too small
        int n = init.WriteMessage(new byte[maxFirstPayload], message);
        Assert.Equal(CipherState.MaxMessageSize, n);
        Assert.Equal(maxFirstPayload, resp.ReadMessage(message.AsSpan(0, n), new byte[maxFirstPayload]));

        const int maxSecondPayload = CipherState.MaxMessageSize - 32 - 48 - 16; // e, encrypted s, tag
        Assert.Throws<ArgumentException>(() => resp.WriteMessage(new byte[maxSecondPayload + 1], message));
        Assert.Equal(CipherState.MaxMessageSize, resp.WriteMessage(new byte[maxSecondPayload], message));
    }

    [Fact]
    public void Impossible_message_lengths_are_rejected()
    {
        using (var resp = NewXx(false))
            Assert.Throws<NoiseException>(() => resp.ReadMessage(new byte[31], new byte[10])); // shorter than e
        using (var resp = NewXx(false))
            Assert.Throws<NoiseException>(() => resp.ReadMessage(new byte[CipherState.MaxMessageSize + 1], new byte[70000]));

        using var init = NewXx(true);
        using var resp2 = NewXx(false);
        var message = new byte[200];
        int n = init.WriteMessage(default, message);
        resp2.ReadMessage(message.AsSpan(0, n), default);
        n = resp2.WriteMessage(default, message);
        Assert.Equal(32 + 48 + 16, n);
        Assert.Throws<NoiseException>(() => init.ReadMessage(message.AsSpan(0, n - 1), new byte[10])); // tag cut short
    }

    [Fact]
    public void Low_order_ephemeral_key_is_refused()
    {
        using var resp = new HandshakeState(HandshakePattern.NN, false, Prologue, null);
        resp.ReadMessage(new byte[32], default); // an all-zero "e": X25519 with it gives all zeros
        Assert.Throws<NoiseException>(() => resp.WriteMessage(default, new byte[100]));
    }

    public static TheoryData<HandshakePattern, bool, bool, bool> BadKeyConfigurations => new()
    {
        // pattern, initiator, pass local static, pass remote static
        { HandshakePattern.XX, true, false, false },  // XX needs s
        { HandshakePattern.XX, false, true, true },   // XX responder must not get rs
        { HandshakePattern.NN, true, true, false },   // NN has no s
        { HandshakePattern.IK, true, true, false },   // IK initiator needs rs
        { HandshakePattern.IK, false, true, true },   // IK responder learns rs
        { HandshakePattern.IK, false, false, false }, // IK responder needs s
    };

    [Theory]
    [MemberData(nameof(BadKeyConfigurations))]
    public void Missing_or_superfluous_keys_are_argument_errors(HandshakePattern pattern, bool initiator, bool local, bool remote)
    {
        var key = HandshakeState.GeneratePrivateKey();
        Assert.Throws<ArgumentException>(() => new HandshakeState(pattern, initiator, default,
            local ? key : null, remote ? HandshakeState.PublicKeyOf(key) : null));
    }

    [Fact]
    public void Keys_of_the_wrong_length_are_argument_errors()
    {
        var e = Assert.Throws<ArgumentException>(() => new HandshakeState(HandshakePattern.XX, true, default, new byte[31]));
        Assert.Equal("localStaticPrivate", e.ParamName);
        Assert.Throws<ArgumentException>(() => new HandshakeState(HandshakePattern.IK, true, default,
            HandshakeState.GeneratePrivateKey(), new byte[33]));
        Assert.Throws<ArgumentException>(() => new HandshakeState(HandshakePattern.NN, true, default, null, null, new byte[16]));
        Assert.Throws<ArgumentException>(() => HandshakeState.PublicKeyOf(new byte[64]));
    }

    [Fact]
    public void PublicKeyOf_matches_RFC_7748_and_generated_keys_differ()
    {
        // RFC 7748 section 6.1, Alice
        var alicePrivate = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        Assert.Equal("8520F0098930A754748B7DDCB43EF75A0DBF3A0D26381AF4EBA4A98EAA9B4E6A",
            Convert.ToHexString(HandshakeState.PublicKeyOf(alicePrivate)));
        var k1 = HandshakeState.GeneratePrivateKey();
        var k2 = HandshakeState.GeneratePrivateKey();
        Assert.Equal(32, k1.Length);
        Assert.NotEqual(k1, k2);
    }

    [Fact]
    public void ProtocolName_spells_the_full_noise_name()
    {
        Assert.Equal("Noise_XX_25519_ChaChaPoly_SHA256", HandshakeState.ProtocolName(HandshakePattern.XX));
        Assert.Equal("Noise_IK_25519_ChaChaPoly_SHA256", HandshakeState.ProtocolName(HandshakePattern.IK));
        Assert.Equal("Noise_NN_25519_ChaChaPoly_SHA256", HandshakeState.ProtocolName(HandshakePattern.NN));
        Assert.Throws<ArgumentOutOfRangeException>(() => HandshakeState.ProtocolName((HandshakePattern)7));
    }

    private static HandshakeState NewXx(bool initiator) =>
        new(HandshakePattern.XX, initiator, Prologue, HandshakeState.GeneratePrivateKey());

    /// <summary>Runs the handshake to completion with a distinct payload in every message.</summary>
    private static List<(byte[] Sent, byte[] Received)> Run(HandshakeState init, HandshakeState resp)
    {
        var result = new List<(byte[], byte[])>();
        var message = new byte[CipherState.MaxMessageSize];
        var payload = new byte[CipherState.MaxMessageSize];
        for (int i = 0; !init.IsCompleted; i++)
        {
            var (writer, reader) = Sides(i);
            var sent = System.Text.Encoding.ASCII.GetBytes($"handshake payload {i}");
            int n = writer.WriteMessage(sent, message);
            int p = reader.ReadMessage(message.AsSpan(0, n), payload);
            result.Add((sent, payload[..p]));
        }
        Assert.True(resp.IsCompleted);
        return result;

        (HandshakeState, HandshakeState) Sides(int i) => i % 2 == 0 ? (init, resp) : (resp, init);
    }

    private static void AssertTransport(CipherState send, CipherState receive, ReadOnlySpan<byte> text)
    {
        var ct = new byte[text.Length + CipherState.TagSize];
        var pt = new byte[text.Length];
        for (int i = 0; i < 3; i++)
        {
            send.Encrypt(default, text, ct);
            Assert.Equal(text.Length, receive.Decrypt(default, ct, pt));
            Assert.True(text.SequenceEqual(pt));
        }
    }
}
