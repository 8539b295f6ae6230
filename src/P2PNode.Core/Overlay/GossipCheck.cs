using P2PNode.Identity;
using P2PNode.Wire.Gossip;

namespace P2PNode.Overlay;

/// <summary>
/// The work on a received broadcast message that needs no overlay state, done by the driver before it takes the
/// overlay's lock (<see cref="OverlayService"/>): the message id (a SHA-256 over the signed bytes, which hash the
/// payload), the origin's signature, and the application's <see cref="IGossipValidator.Prepare"/>. The node then
/// applies its checks in their usual order (size, duplicate, age, signature, replay, verdict) with these results
/// instead of computing them under the lock. <see cref="SignatureValid"/> is null when it was not checked (the id
/// was already seen): the node verifies itself should it get that far.
/// </summary>
public sealed record GossipCheck(MessageId Id, bool? SignatureValid, object? Prepared = null)
{
    /// <summary>The id, and the signature's verdict when <paramref name="verify"/>.</summary>
    public static GossipCheck Of(GossipMessage g, bool verify) => Of(g, _ => verify);

    /// <summary>The id, and the signature's verdict when <paramref name="verify"/> says so for that id.</summary>
    public static GossipCheck Of(GossipMessage g, Func<MessageId, bool> verify)
    {
        Span<byte> signed = stackalloc byte[GossipSignature.MaxSignedLength];
        var n = GossipSignature.WriteSignedBytes(g.Topic, g.Origin, g.Sequence, g.TimestampMs, g.Payload, signed);
        var id = GossipSignature.IdOf(signed[..n]);
        return new GossipCheck(id, verify(id) ? NodeIdentity.Verify(g.Origin.PublicKey.Span, signed[..n], g.Signature) : null);
    }
}
