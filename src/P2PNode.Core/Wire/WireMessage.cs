using MessagePack;

namespace P2PNode.Wire;

/// <summary>
/// A v1 application message: one MessagePack array [type, field1, field2, ...]. Each message writes its own
/// fields and has a static reader registered in <see cref="WireCodec"/>; adding a message is one file plus
/// one line there.
/// </summary>
public abstract record WireMessage
{
    public abstract MessageType Type { get; }

    /// <summary>How many fields follow the type; decoders skip any beyond this (later minor versions).</summary>
    public abstract int FieldCount { get; }

    public abstract void WriteFields(ref MessagePackWriter w);
}
