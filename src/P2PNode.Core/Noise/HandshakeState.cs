using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace P2PNode.Noise;

/// <summary>
/// Noise HandshakeState (spec rev 34, section 5.3) for Noise_{NN,XX,IK}_25519_ChaChaPoly_SHA256, without
/// PSKs or fallback. Drive it by alternating <see cref="WriteMessage"/> and <see cref="ReadMessage"/> as
/// <see cref="IsMyTurnToWrite"/> says until <see cref="IsCompleted"/>, then take the transport keys with
/// <see cref="Split"/>. A message that fails (bad MAC, impossible length, low-order key) throws
/// <see cref="NoiseException"/> and leaves the state unusable: every later call throws too, so a half-failed
/// handshake can never produce keys. A call out of order (reading on our turn to write, or after completion)
/// throws <see cref="NoiseException"/> without changing anything. Caller mistakes (buffer too small, payload
/// too large) throw <see cref="ArgumentException"/> before anything changes.
/// </summary>
public sealed class HandshakeState : IDisposable
{
    /// <summary>Length of X25519 private and public keys.</summary>
    public const int KeySize = NoiseCrypto.DhLen;

    private readonly HandshakePattern pattern;
    private readonly bool initiator;
    private readonly NoiseToken[][] messages;
    private readonly SymmetricState symmetric;
    private readonly Key? s;
    private readonly byte[]? sPublic;
    private Key? e;
    private readonly byte[] ePublic;
    private byte[]? rs;
    private byte[]? re;
    private int next; // index of the next message in the pattern
    private bool failed;
    private bool disposed;
    private byte[]? handshakeHash;
    private CipherState? c1;
    private CipherState? c2;
    private bool splitTaken;

    /// <param name="pattern">NN, XX or IK.</param>
    /// <param name="initiator">True on the side that sends the first message (the dialer).</param>
    /// <param name="prologue">Bytes both sides must agree on (mixed into h); a mismatch fails the handshake.</param>
    /// <param name="localStaticPrivate">32-byte X25519 private key: required for XX and IK (both sides),
    /// must be null for NN.</param>
    /// <param name="remoteStaticPublic">The responder's 32-byte static public key: required for the IK
    /// initiator, must be null otherwise (XX and the IK responder learn it from the handshake).</param>
    /// <param name="localEphemeralPrivate">Fixed ephemeral private key, for test vectors only; null means a
    /// fresh random one (always use null in production: a reused ephemeral breaks forward secrecy).</param>
    /// <exception cref="ArgumentException">a key is missing, superfluous or not 32 bytes.</exception>
    public HandshakeState(HandshakePattern pattern, bool initiator, ReadOnlySpan<byte> prologue,
        byte[]? localStaticPrivate, byte[]? remoteStaticPublic = null, byte[]? localEphemeralPrivate = null)
    {
        messages = NoisePatterns.Messages(pattern);
        this.pattern = pattern;
        this.initiator = initiator;
        ValidateKeys(pattern, initiator, localStaticPrivate, remoteStaticPublic, localEphemeralPrivate);

        symmetric = new SymmetricState(ProtocolName(pattern));
        try
        {
            if (localStaticPrivate is not null)
            {
                s = Key.Import(NoiseCrypto.X25519, localStaticPrivate, KeyBlobFormat.RawPrivateKey);
                sPublic = s.PublicKey.Export(KeyBlobFormat.RawPublicKey);
            }
            if (remoteStaticPublic is not null)
                rs = (byte[])remoteStaticPublic.Clone();
            e = localEphemeralPrivate is null
                ? Key.Create(NoiseCrypto.X25519)
                : Key.Import(NoiseCrypto.X25519, localEphemeralPrivate, KeyBlobFormat.RawPrivateKey);
            ePublic = e.PublicKey.Export(KeyBlobFormat.RawPublicKey);

            symmetric.MixHash(prologue);
            if (NoisePatterns.ResponderStaticIsPreMessage(pattern))
                symmetric.MixHash((initiator ? rs : sPublic)!); // both non-null: checked by ValidateKeys
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>"Noise_" + pattern + "_25519_ChaChaPoly_SHA256", e.g. "Noise_XX_25519_ChaChaPoly_SHA256".</summary>
    public static string ProtocolName(HandshakePattern p)
    {
        if (!Enum.IsDefined(p))
            throw new ArgumentOutOfRangeException(nameof(p), p, "unsupported Noise pattern");
        return $"Noise_{p}_25519_ChaChaPoly_SHA256";
    }

    public HandshakePattern Pattern => pattern;

    public bool IsInitiator => initiator;

    /// <summary>True when the next step is <see cref="WriteMessage"/>; false when it is
    /// <see cref="ReadMessage"/>, or once completed or failed.</summary>
    public bool IsMyTurnToWrite => !IsCompleted && !failed && (next % 2 == 0) == initiator;

    /// <summary>True once the last handshake message was written or read; then call <see cref="Split"/>.</summary>
    public bool IsCompleted => next == messages.Length;

    /// <summary>h at the end of the handshake (32 bytes): identical on both sides and unique to this session,
    /// so the application can sign it to bind identities to the channel (channel binding).</summary>
    /// <exception cref="InvalidOperationException">the handshake has not completed.</exception>
    public byte[] HandshakeHash => (byte[])(handshakeHash
        ?? throw new InvalidOperationException("the handshake hash is final only once the handshake completed")).Clone();

    /// <summary>The peer's static public key (rs): given (IK initiator) or learned from a message; null in NN
    /// or before it arrives. Authenticated once the message carrying it was read successfully.</summary>
    public byte[]? RemoteStaticPublicKey => (byte[]?)rs?.Clone();

    /// <summary>This side's static public key, or null in NN.</summary>
    public byte[]? LocalStaticPublicKey => (byte[]?)sPublic?.Clone();

    /// <summary>
    /// Writes the next handshake message: the pattern's tokens, then <paramref name="payload"/> (encrypted
    /// once a key exists). Returns the message length. <paramref name="message"/> must not overlap the payload.
    /// </summary>
    /// <exception cref="ArgumentException">the message would exceed 65535 bytes, the buffer is too small,
    /// or the buffers overlap (nothing changed; the call can be retried).</exception>
    /// <exception cref="NoiseException">it is not this side's turn to write, or the handshake completed or failed.</exception>
    public int WriteMessage(ReadOnlySpan<byte> payload, Span<byte> message)
    {
        var tokens = BeginStep(write: true);
        var (prefix, tagged) = Layout(tokens);
        int length = prefix + payload.Length + (tagged ? CipherState.TagSize : 0);
        if (length > CipherState.MaxMessageSize)
            throw new ArgumentException(
                $"handshake message would be {length} bytes, above the Noise limit of {CipherState.MaxMessageSize}; " +
                $"this message takes at most {CipherState.MaxMessageSize - length + payload.Length} payload bytes", nameof(payload));
        if (message.Length < length)
            throw new ArgumentException($"message buffer holds {message.Length} bytes, needs {length}", nameof(message));
        if (payload.Overlaps(message))
            throw new ArgumentException("payload and message buffers must not overlap", nameof(message));

        try
        {
            int offset = 0;
            foreach (var token in tokens)
            {
                if (token == NoiseToken.E)
                {
                    ePublic.CopyTo(message[offset..]);
                    symmetric.MixHash(ePublic);
                    offset += KeySize;
                }
                else if (token == NoiseToken.S)
                {
                    offset += symmetric.EncryptAndHash(sPublic!, message[offset..]); // XX/IK always have s
                }
                else
                {
                    MixDh(token);
                }
            }
            offset += symmetric.EncryptAndHash(payload, message[offset..]);
            EndStep();
            return offset;
        }
        catch
        {
            failed = true;
            throw;
        }
    }

    /// <summary>
    /// Reads the next handshake message from the peer and writes its payload to <paramref name="payload"/>
    /// (which must not overlap the message). Returns the payload length.
    /// </summary>
    /// <exception cref="NoiseException">authentication failed (tampering, wrong prologue or wrong static
    /// key), the message length is impossible, or it is not this side's turn to read.</exception>
    /// <exception cref="ArgumentException">the payload buffer is too small or overlaps (nothing changed).</exception>
    public int ReadMessage(ReadOnlySpan<byte> message, Span<byte> payload)
    {
        var tokens = BeginStep(write: false);
        var (prefix, tagged) = Layout(tokens);
        int payloadLength = message.Length - prefix - (tagged ? CipherState.TagSize : 0);
        if (message.Length > CipherState.MaxMessageSize)
            Fail($"handshake message of {message.Length} bytes exceeds the Noise limit of {CipherState.MaxMessageSize}");
        if (payloadLength < 0)
            Fail($"handshake message {next} is {message.Length} bytes, shorter than the minimum {message.Length - payloadLength}");
        if (payload.Length < payloadLength)
            throw new ArgumentException($"payload buffer holds {payload.Length} bytes, needs {payloadLength}", nameof(payload));
        if (payload.Overlaps(message))
            throw new ArgumentException("payload and message buffers must not overlap", nameof(payload));

        try
        {
            int offset = 0;
            foreach (var token in tokens)
            {
                if (token == NoiseToken.E)
                {
                    re = message.Slice(offset, KeySize).ToArray();
                    symmetric.MixHash(re);
                    offset += KeySize;
                }
                else if (token == NoiseToken.S)
                {
                    int length = KeySize + (symmetric.HasKey ? CipherState.TagSize : 0);
                    var remoteStatic = new byte[KeySize];
                    symmetric.DecryptAndHash(message.Slice(offset, length), remoteStatic);
                    rs = remoteStatic;
                    offset += length;
                }
                else
                {
                    MixDh(token);
                }
            }
            int written = symmetric.DecryptAndHash(message[offset..], payload);
            EndStep();
            return written;
        }
        catch
        {
            failed = true;
            throw;
        }
    }

    /// <summary>
    /// The transport CipherStates, oriented for this side: the initiator sends with c1 and receives with c2,
    /// the responder the reverse. Ownership passes to the caller (dispose them); callable once.
    /// </summary>
    /// <exception cref="InvalidOperationException">not completed, or already split.</exception>
    public (CipherState Send, CipherState Receive) Split()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (!IsCompleted || c1 is null || c2 is null)
            throw new InvalidOperationException(splitTaken
                ? "Split() was already called; the transport keys were handed out once"
                : "the handshake has not completed");
        var pair = initiator ? (c1, c2) : (c2, c1);
        c1 = c2 = null;
        splitTaken = true;
        return pair;
    }

    /// <summary>The X25519 public key of a 32-byte private key.</summary>
    public static byte[] PublicKeyOf(byte[] x25519Private)
    {
        ArgumentNullException.ThrowIfNull(x25519Private);
        RequireLength(x25519Private, nameof(x25519Private));
        using var key = Key.Import(NoiseCrypto.X25519, x25519Private, KeyBlobFormat.RawPrivateKey);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>A fresh random X25519 private key (32 bytes; the caller stores it securely).</summary>
    public static byte[] GeneratePrivateKey()
    {
        var exportable = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var key = Key.Create(NoiseCrypto.X25519, in exportable);
        return key.Export(KeyBlobFormat.RawPrivateKey);
    }

    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        symmetric.Dispose();
        s?.Dispose();
        e?.Dispose();
        c1?.Dispose();
        c2?.Dispose();
        c1 = c2 = null;
    }

    private NoiseToken[] BeginStep(bool write)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (failed)
            throw new NoiseException("the handshake already failed; start a new one");
        if (IsCompleted)
            throw new NoiseException("the handshake is complete; use the CipherStates from Split()");
        if (IsMyTurnToWrite != write)
            throw new NoiseException(write
                ? $"out of order: message {next} of {ProtocolName(pattern)} is the peer's to write; read it first"
                : $"out of order: message {next} of {ProtocolName(pattern)} is ours to write, not to read");
        return messages[next];
    }

    private void EndStep()
    {
        next++;
        if (!IsCompleted)
            return;
        handshakeHash = symmetric.HandshakeHash.ToArray();
        (c1, c2) = symmetric.Split();
        symmetric.Dispose();
        e?.Dispose(); // forward secrecy: the ephemeral is no longer needed
        e = null;
    }

    /// <summary>Bytes before the payload, and whether the payload carries a tag, for message tokens given
    /// the current key state; lets both directions check sizes before changing anything.</summary>
    private (int Prefix, bool PayloadTagged) Layout(NoiseToken[] tokens)
    {
        bool hasKey = symmetric.HasKey;
        int prefix = 0;
        foreach (var token in tokens)
        {
            if (token == NoiseToken.E)
                prefix += KeySize;
            else if (token == NoiseToken.S)
                prefix += KeySize + (hasKey ? CipherState.TagSize : 0);
            else
                hasKey = true;
        }
        return (prefix, hasKey);
    }

    private void MixDh(NoiseToken token)
    {
        // es: initiator's e with responder's s; se: initiator's s with responder's e (spec section 5.3).
        var (local, remote) = token switch
        {
            NoiseToken.EE => (e, re),
            NoiseToken.SS => (s, rs),
            NoiseToken.ES => initiator ? (e, rs) : (s, re),
            NoiseToken.SE => initiator ? (s, re) : (e, rs),
            _ => throw new InvalidOperationException($"{token} is not a DH token"),
        };
        if (local is null || remote is null)
            throw new InvalidOperationException($"{token} needs a key this side does not have"); // pattern tables guarantee it
        Span<byte> shared = stackalloc byte[NoiseCrypto.DhLen];
        try
        {
            NoiseCrypto.Dh(local, remote, shared);
            symmetric.MixKey(shared);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    [DoesNotReturn]
    private void Fail(string reason)
    {
        failed = true;
        throw new NoiseException(reason);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2208", Justification = "names the public constructor's parameters, which this checks")]
    private static void ValidateKeys(HandshakePattern pattern, bool initiator, byte[]? localStatic,
        byte[]? remoteStatic, byte[]? ephemeral)
    {
        string name = ProtocolName(pattern);
        if (NoisePatterns.UsesStaticKeys(pattern) && localStatic is null)
            throw new ArgumentException($"{name} needs this side's static private key", "localStaticPrivate");
        if (!NoisePatterns.UsesStaticKeys(pattern) && localStatic is not null)
            throw new ArgumentException($"{name} uses no static key; pass null", "localStaticPrivate");
        bool needsRemote = NoisePatterns.ResponderStaticIsPreMessage(pattern) && initiator;
        if (needsRemote && remoteStatic is null)
            throw new ArgumentException($"the {name} initiator needs the responder's static public key", "remoteStaticPublic");
        if (!needsRemote && remoteStatic is not null)
            throw new ArgumentException(
                $"{name} {(initiator ? "initiator" : "responder")} learns the remote static key from the handshake; pass null",
                "remoteStaticPublic");
        if (localStatic is not null)
            RequireLength(localStatic, "localStaticPrivate");
        if (remoteStatic is not null)
            RequireLength(remoteStatic, "remoteStaticPublic");
        if (ephemeral is not null)
            RequireLength(ephemeral, "localEphemeralPrivate");
    }

    private static void RequireLength(byte[] key, string name)
    {
        if (key.Length != KeySize)
            throw new ArgumentException($"X25519 keys are {KeySize} bytes, {name} has {key.Length}", name);
    }
}
