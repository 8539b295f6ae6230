using P2PNode.Noise;

namespace P2PNode.Transport;

/// <summary>
/// The node's X25519 Noise static key. It is generated fresh at every start and vouched for by the Ed25519
/// identity in the handshake payload, so it never needs to be stored.
/// </summary>
public sealed class NoiseStaticKey
{
    public NoiseStaticKey(byte[] privateKey)
    {
        PrivateKey = privateKey;
        PublicKey = HandshakeState.PublicKeyOf(privateKey);
    }

    public static NoiseStaticKey Generate() => new(HandshakeState.GeneratePrivateKey());

    public byte[] PrivateKey { get; }
    public byte[] PublicKey { get; }
}
