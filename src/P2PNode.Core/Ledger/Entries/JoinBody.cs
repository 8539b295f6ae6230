using System.Text.Json.Nodes;

namespace P2PNode.Ledger.Entries;

/// <summary>A node announces itself to a run: who it is and what it runs on.</summary>
public sealed record JoinBody : EntryBody
{
    /// <summary>The printable peer id (the author key is the binding identity; this is for display and lookup).</summary>
    public required string NodeId { get; init; }
    public required string DisplayName { get; init; }
    /// <summary>Organisation or country label the operator chose.</summary>
    public required string Organisation { get; init; }
    public required string Hardware { get; init; }
    public required string SoftwareVersion { get; init; }

    public override EntryKind Kind => EntryKind.Join;

    public override void Write(CanonicalWriter w)
    {
        w.Str(NodeId); w.Str(DisplayName); w.Str(Organisation); w.Str(Hardware); w.Str(SoftwareVersion);
    }

    public static JoinBody ReadFrom(ref CanonicalReader r) => new()
    {
        NodeId = r.Str("node_id"), DisplayName = r.Str("display_name"), Organisation = r.Str("organisation"),
        Hardware = r.Str("hardware"), SoftwareVersion = r.Str("software_version"),
    };

    public override JsonObject ToJson() => new()
    {
        ["node_id"] = NodeId, ["display_name"] = DisplayName, ["organisation"] = Organisation,
        ["hardware"] = Hardware, ["software_version"] = SoftwareVersion,
    };
}
