using System.Buffers;
using MessagePack;

namespace P2PNode.Wire;

/// <summary>
/// Pure encoder/decoder of v1 messages (docs/protocol.md, "Messages"). Every message is one MessagePack
/// array: [type, field1, field2, ...]. Decoders accept trailing elements they do not know (a later minor
/// version may add them) and reject everything else that is off: wrong types, missing fields, over-long
/// strings, bytes after the array.
/// </summary>
public static class WireCodec
{
    private delegate WireMessage Reader(ref MessagePackReader r);

    // type -> (fields it needs, reader). One line per message; protocols add theirs here.
    private static readonly Dictionary<MessageType, (int Fields, Reader Read)> Readers = new()
    {
        [MessageType.Hello] = (7, (ref MessagePackReader r) => Hello.Read(ref r)),
        [MessageType.Ping] = (1, (ref MessagePackReader r) => Ping.Read(ref r)),
        [MessageType.Pong] = (1, (ref MessagePackReader r) => Pong.Read(ref r)),
        [MessageType.Disconnect] = (2, (ref MessagePackReader r) => Disconnect.Read(ref r)),
        [MessageType.Error] = (2, (ref MessagePackReader r) => ErrorMessage.Read(ref r)),
        [MessageType.Join] = (1, (ref MessagePackReader r) => Gossip.Join.Read(ref r)),
        [MessageType.ForwardJoin] = (3, (ref MessagePackReader r) => Gossip.ForwardJoin.Read(ref r)),
        [MessageType.Neighbor] = (2, (ref MessagePackReader r) => Gossip.Neighbor.Read(ref r)),
        [MessageType.NeighborReply] = (1, (ref MessagePackReader r) => Gossip.NeighborReply.Read(ref r)),
        [MessageType.Detach] = (0, (ref MessagePackReader r) => Gossip.Detach.Read(ref r)),
        [MessageType.Shuffle] = (4, (ref MessagePackReader r) => Gossip.Shuffle.Read(ref r)),
        [MessageType.ShuffleReply] = (1, (ref MessagePackReader r) => Gossip.ShuffleReply.Read(ref r)),
        [MessageType.Gossip] = (7, (ref MessagePackReader r) => Gossip.GossipMessage.Read(ref r)),
        [MessageType.IHave] = (1, (ref MessagePackReader r) => Gossip.IHave.Read(ref r)),
        [MessageType.Graft] = (1, (ref MessagePackReader r) => Gossip.Graft.Read(ref r)),
        [MessageType.Prune] = (0, (ref MessagePackReader r) => Gossip.Prune.Read(ref r)),
        [MessageType.Have] = (2, (ref MessagePackReader r) => Transfer.Have.Read(ref r)),
        [MessageType.GetManifest] = (2, (ref MessagePackReader r) => Transfer.GetManifest.Read(ref r)),
        [MessageType.Manifest] = (2, (ref MessagePackReader r) => Transfer.ManifestMessage.Read(ref r)),
        [MessageType.GetChunk] = (3, (ref MessagePackReader r) => Transfer.GetChunk.Read(ref r)),
        [MessageType.Chunk] = (4, (ref MessagePackReader r) => Transfer.Chunk.Read(ref r)),
        [MessageType.NotFound] = (2, (ref MessagePackReader r) => Transfer.NotFound.Read(ref r)),
        [MessageType.LedgerHeads] = (1, (ref MessagePackReader r) => Ledger.LedgerHeads.Read(ref r)),
        [MessageType.GetLedgerEntries] = (5, (ref MessagePackReader r) => Ledger.GetLedgerEntries.Read(ref r)),
        [MessageType.LedgerEntries] = (4, (ref MessagePackReader r) => Ledger.LedgerEntries.Read(ref r)),
        [MessageType.LedgerCosignature] = (2, (ref MessagePackReader r) => Ledger.LedgerCosignature.Read(ref r)),
        [MessageType.LedgerEvidence] = (5, (ref MessagePackReader r) => Ledger.LedgerEvidence.Read(ref r)),
        [MessageType.LedgerUnavailable] = (3, (ref MessagePackReader r) => Ledger.LedgerUnavailable.Read(ref r)),
        [MessageType.ReserveRequest] = (0, (ref MessagePackReader r) => Relay.ReserveRequest.Read(ref r)),
        [MessageType.ReserveOk] = (5, (ref MessagePackReader r) => Relay.ReserveOk.Read(ref r)),
        [MessageType.ReserveRefused] = (2, (ref MessagePackReader r) => Relay.ReserveRefused.Read(ref r)),
        [MessageType.ConnectRequest] = (2, (ref MessagePackReader r) => Relay.ConnectRequest.Read(ref r)),
        [MessageType.IncomingCircuit] = (2, (ref MessagePackReader r) => Relay.IncomingCircuit.Read(ref r)),
        [MessageType.CircuitOpen] = (1, (ref MessagePackReader r) => Relay.CircuitOpen.Read(ref r)),
        [MessageType.CircuitData] = (2, (ref MessagePackReader r) => Relay.CircuitData.Read(ref r)),
        [MessageType.CircuitClose] = (3, (ref MessagePackReader r) => Relay.CircuitClose.Read(ref r)),
    };

    public static byte[] Encode(WireMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Write(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(WireMessage message, IBufferWriter<byte> output)
    {
        var w = new MessagePackWriter(output);
        w.WriteArrayHeader(1 + message.FieldCount);
        w.Write((uint)message.Type);
        message.WriteFields(ref w);
        w.Flush();
    }

    /// <summary>The type of a frame this node encoded (for counting what it sends), without decoding the body;
    /// <see cref="uint.MaxValue"/> when the frame does not start like a message.</summary>
    public static uint PeekType(ReadOnlyMemory<byte> frame)
    {
        var r = new MessagePackReader(frame);
        try
        {
            if (r.NextMessagePackType != MessagePackType.Array || r.ReadArrayHeader() < 1) return uint.MaxValue;
            return r.NextMessagePackType == MessagePackType.Integer ? r.ReadUInt32() : uint.MaxValue;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException) { return uint.MaxValue; }
    }

    public static WireMessage Decode(ReadOnlyMemory<byte> frame) => Decode(new ReadOnlySequence<byte>(frame));

    /// <summary>Decodes one frame; throws <see cref="WireFormatException"/> on anything malformed and
    /// <see cref="UnknownMessageTypeException"/> for a well-formed array of a type this node does not know.</summary>
    public static WireMessage Decode(ReadOnlySequence<byte> frame)
    {
        var r = new MessagePackReader(frame);
        WireMessage message;
        try
        {
            if (r.NextMessagePackType != MessagePackType.Array) throw new WireFormatException("frame is not a MessagePack array");
            var count = r.ReadArrayHeader();
            if (count < 1) throw new WireFormatException("empty message array");
            var type = Fields.ReadUInt(ref r, "type");
            if (!Readers.TryGetValue((MessageType)type, out var reader)) throw new UnknownMessageTypeException(type);
            if (count - 1 < reader.Fields)
                throw new WireFormatException($"{(MessageType)type} has {count - 1} fields, needs {reader.Fields}");
            message = reader.Read(ref r);
            for (var i = 1 + reader.Fields; i < count; i++) r.Skip();
        }
        catch (MessagePackSerializationException e)
        {
            throw new WireFormatException($"malformed MessagePack: {e.Message}", e);
        }
        catch (EndOfStreamException e)
        {
            throw new WireFormatException("frame ends inside the message", e);
        }
        if (!r.End) throw new WireFormatException($"{frame.Length - r.Consumed} trailing bytes after the message");
        return message;
    }
}
