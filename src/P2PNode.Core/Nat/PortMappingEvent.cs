namespace P2PNode.Nat;

/// <summary>A change in a <see cref="PortMappingKeeper"/>'s mapping: the mapping as it now stands and the error, if any.</summary>
public sealed record PortMappingEvent(PortMappingEventKind Kind, PortMapping Mapping, Exception? Error = null);
