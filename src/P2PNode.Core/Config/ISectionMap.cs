namespace P2PNode.Config;

/// <summary>Maps the keys of one TOML section onto one record of <see cref="NodeConfig"/>. Several maps may
/// share a section (e.g. [network] feeds TransportOptions and NetworkSection).</summary>
internal interface ISectionMap
{
    string Section { get; }
    IReadOnlyList<string> Keys { get; }
    NodeConfig Apply(NodeConfig config, string key, ConfigValue value);
    /// <summary>Cross-field rules, run once every key of every source has been applied.</summary>
    void Check(NodeConfig config, ConfigCheck check);
}
