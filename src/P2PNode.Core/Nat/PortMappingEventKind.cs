namespace P2PNode.Nat;

/// <summary>What happened to a kept mapping.</summary>
public enum PortMappingEventKind
{
    /// <summary>The first mapping was granted.</summary>
    Created,

    /// <summary>A renewal was granted (the public port or address may have changed: compare with the previous one).</summary>
    Renewed,

    /// <summary>A renewal failed; the keeper retries before the mapping expires.</summary>
    RenewFailed,

    /// <summary>The mapping expired without a successful renewal; the keeper keeps trying to map again.</summary>
    Lost,

    /// <summary>The mapping was deleted at dispose.</summary>
    Deleted,

    /// <summary>The delete at dispose failed; the gateway drops the mapping when its lifetime ends.</summary>
    DeleteFailed,
}
