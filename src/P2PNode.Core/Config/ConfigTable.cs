namespace P2PNode.Config;

/// <summary>One [section] of raw values, in file order.</summary>
internal sealed class ConfigTable(string name, ConfigOrigin origin)
{
    private readonly List<KeyValuePair<string, ConfigValue>> _entries = [];

    public string Name { get; } = name;
    /// <summary>Where the [section] header is (for errors about the section as a whole).</summary>
    public ConfigOrigin Origin { get; } = origin;
    public IReadOnlyList<KeyValuePair<string, ConfigValue>> Entries => _entries;

    public void Add(string key, ConfigValue value) => _entries.Add(new(key, value));

    public ConfigValue? Find(string key) => _entries.FirstOrDefault(e => e.Key == key).Value;
}
