namespace P2PNode.Config;

/// <summary>
/// Declarative key table for one record: <c>.Key("max_inbound", (o, v) => o with { MaxInbound = v.AsInt(1, 100_000) })</c>.
/// Each key's conversion is the only validator of that key, used for the file and for overrides alike.
/// </summary>
internal sealed class SectionMap<T>(string section, Func<NodeConfig, T> get, Func<NodeConfig, T, NodeConfig> set) : ISectionMap
{
    private readonly Dictionary<string, Func<T, ConfigValue, T>> _apply = new(StringComparer.Ordinal);
    private readonly List<string> _keys = [];
    private readonly List<Action<T, NodeConfig, ConfigCheck>> _checks = [];

    public string Section { get; } = section;
    public IReadOnlyList<string> Keys => _keys;

    public SectionMap<T> Key(string key, Func<T, ConfigValue, T> apply)
    {
        _apply.Add(key, apply);
        _keys.Add(key);
        return this;
    }

    public SectionMap<T> Check(Action<T, ConfigCheck> check) => Check((s, _, c) => check(s, c));

    /// <summary>A rule that also reads other sections (e.g. a burst that must hold the largest frame).</summary>
    public SectionMap<T> Check(Action<T, NodeConfig, ConfigCheck> check)
    {
        _checks.Add(check);
        return this;
    }

    public NodeConfig Apply(NodeConfig config, string key, ConfigValue value) => set(config, _apply[key](get(config), value));

    public void Check(NodeConfig config, ConfigCheck check)
    {
        foreach (var c in _checks) c(get(config), config, check);
    }
}
