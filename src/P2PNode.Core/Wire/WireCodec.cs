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
    public static byte[] Encode(WireMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Write(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(WireMessage message, IBufferWriter<byte> output)
    {
        var w = new MessagePackWriter(output);
        switch (message)
        {
            case Hello h:
                w.WriteArrayHeader(8);
                w.Write((uint)MessageType.Hello);
                w.Write(h.VersionMajor);
                w.Write(h.VersionMinor);
                w.Write(h.PeerId);
                WriteStrings(ref w, h.ListenAddresses);
                WriteStrings(ref w, h.Capabilities);
                w.Write(h.Agent);
                w.Write(h.ObservedAddress);
                break;
            case Ping p:
                w.WriteArrayHeader(2);
                w.Write((uint)MessageType.Ping);
                w.Write(p.Nonce);
                break;
            case Pong p:
                w.WriteArrayHeader(2);
                w.Write((uint)MessageType.Pong);
                w.Write(p.Nonce);
                break;
            case Disconnect d:
                w.WriteArrayHeader(3);
                w.Write((uint)MessageType.Disconnect);
                w.Write((uint)d.Reason);
                w.Write(d.Message);
                break;
            case ErrorMessage e:
                w.WriteArrayHeader(3);
                w.Write((uint)MessageType.Error);
                w.Write((uint)e.Code);
                w.Write(e.Message);
                break;
            default:
                throw new ArgumentException($"no v1 encoding for {message.GetType().Name}", nameof(message));
        }
        w.Flush();
    }

    public static WireMessage Decode(ReadOnlyMemory<byte> frame) => Decode(new ReadOnlySequence<byte>(frame));

    /// <summary>Decodes one frame; throws <see cref="WireFormatException"/> on anything malformed.</summary>
    public static WireMessage Decode(ReadOnlySequence<byte> frame)
    {
        var r = new MessagePackReader(frame);
        WireMessage message;
        try
        {
            if (r.NextMessagePackType != MessagePackType.Array) throw new WireFormatException("frame is not a MessagePack array");
            var count = r.ReadArrayHeader();
            if (count < 1) throw new WireFormatException("empty message array");
            var type = ReadUInt(ref r, "type");
            message = (MessageType)type switch
            {
                MessageType.Hello => ReadHello(ref r, count),
                MessageType.Ping => new Ping(ReadUInt64(ref r, count, 2, "ping.nonce")),
                MessageType.Pong => new Pong(ReadUInt64(ref r, count, 2, "pong.nonce")),
                MessageType.Disconnect => new Disconnect((DisconnectReason)Need(ref r, count, 3, "disconnect"),
                    ReadString(ref r, WireLimits.MaxTextLength, "disconnect.message")),
                MessageType.Error => new ErrorMessage((ErrorCode)Need(ref r, count, 3, "error"),
                    ReadString(ref r, WireLimits.MaxTextLength, "error.message")),
                _ => throw new UnknownMessageTypeException(type),
            };
            // Fields a later minor version appended: skip them, they are not ours to judge.
            for (var i = message is Hello ? 8 : message is Ping or Pong ? 2 : 3; i < count; i++) r.Skip();
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

    private static Hello ReadHello(ref MessagePackReader r, int count)
    {
        if (count < 8) throw new WireFormatException($"hello has {count} elements, needs 8");
        return new Hello(
            ReadUInt(ref r, "hello.version_major"),
            ReadUInt(ref r, "hello.version_minor"),
            ReadString(ref r, WireLimits.MaxPeerIdLength, "hello.peer_id"),
            ReadStrings(ref r, WireLimits.MaxListenAddresses, WireLimits.MaxAddressLength, "hello.listen_addresses"),
            ReadStrings(ref r, WireLimits.MaxCapabilities, WireLimits.MaxCapabilityLength, "hello.capabilities"),
            ReadString(ref r, WireLimits.MaxAgentLength, "hello.agent"),
            ReadString(ref r, WireLimits.MaxAddressLength, "hello.observed_address"));
    }

    private static uint Need(ref MessagePackReader r, int count, int needed, string name)
    {
        if (count < needed) throw new WireFormatException($"{name} has {count} elements, needs {needed}");
        return ReadUInt(ref r, name + ".code");
    }

    private static ulong ReadUInt64(ref MessagePackReader r, int count, int needed, string name)
    {
        if (count < needed) throw new WireFormatException($"{name}: message has {count} elements, needs {needed}");
        if (r.NextMessagePackType != MessagePackType.Integer) throw new WireFormatException($"{name} must be an unsigned integer");
        try { return r.ReadUInt64(); }
        catch (OverflowException) { throw new WireFormatException($"{name} must be an unsigned integer"); }
    }

    private static uint ReadUInt(ref MessagePackReader r, string name)
    {
        if (r.NextMessagePackType != MessagePackType.Integer) throw new WireFormatException($"{name} must be an unsigned integer");
        try { return r.ReadUInt32(); }
        catch (OverflowException) { throw new WireFormatException($"{name} out of range for a 32-bit unsigned integer"); }
    }

    private static string ReadString(ref MessagePackReader r, int maxBytes, string name)
    {
        if (r.NextMessagePackType != MessagePackType.String) throw new WireFormatException($"{name} must be a string");
        var bytes = r.ReadStringSequence();
        if (bytes is null) throw new WireFormatException($"{name} must be a string");
        if (bytes.Value.Length > maxBytes) throw new WireFormatException($"{name} is {bytes.Value.Length} bytes, limit {maxBytes}");
        try { return Strict.GetString(bytes.Value.ToArray()); }
        catch (System.Text.DecoderFallbackException) { throw new WireFormatException($"{name} is not valid UTF-8"); }
    }

    private static IReadOnlyList<string> ReadStrings(ref MessagePackReader r, int maxCount, int maxBytes, string name)
    {
        if (r.NextMessagePackType != MessagePackType.Array) throw new WireFormatException($"{name} must be an array of strings");
        var n = r.ReadArrayHeader();
        if (n > maxCount) throw new WireFormatException($"{name} has {n} items, limit {maxCount}");
        var list = new string[n];
        for (var i = 0; i < n; i++) list[i] = ReadString(ref r, maxBytes, $"{name}[{i}]");
        return list;
    }

    private static void WriteStrings(ref MessagePackWriter w, IReadOnlyList<string> items)
    {
        w.WriteArrayHeader(items.Count);
        foreach (var s in items) w.Write(s);
    }

    private static readonly System.Text.UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
