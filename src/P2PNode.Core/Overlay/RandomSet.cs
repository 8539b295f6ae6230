namespace P2PNode.Overlay;

/// <summary>
/// A set with O(1) add, remove and uniform random pick, and an insertion-dependent (never hash-dependent)
/// order, so that a seeded simulation makes the same choices on every run.
/// </summary>
internal sealed class RandomSet<T> where T : notnull
{
    private readonly List<T> _items = [];
    private readonly Dictionary<T, int> _index = [];

    public int Count => _items.Count;
    public IReadOnlyList<T> Items => _items;
    public bool Contains(T item) => _index.ContainsKey(item);

    public bool Add(T item)
    {
        if (_index.ContainsKey(item)) return false;
        _index[item] = _items.Count;
        _items.Add(item);
        return true;
    }

    public bool Remove(T item)
    {
        if (!_index.Remove(item, out var i)) return false;
        var last = _items[^1];
        _items.RemoveAt(_items.Count - 1);
        if (i < _items.Count)
        {
            _items[i] = last;
            _index[last] = i;
        }
        return true;
    }

    /// <summary>A uniformly random member for which <paramref name="exclude"/> is false, or default when none.</summary>
    public T? RandomExcept(Random rng, Func<T, bool>? exclude = null)
    {
        if (_items.Count == 0) return default;
        var start = rng.Next(_items.Count);
        for (var k = 0; k < _items.Count; k++)
        {
            var item = _items[(start + k) % _items.Count];
            if (exclude is null || !exclude(item)) return item;
        }
        return default;
    }

    /// <summary>Up to <paramref name="count"/> distinct random members (partial Fisher-Yates on a copy).</summary>
    public List<T> Sample(Random rng, int count, Func<T, bool>? exclude = null)
    {
        var pool = exclude is null ? new List<T>(_items) : _items.Where(x => !exclude(x)).ToList();
        var n = Math.Min(count, pool.Count);
        for (var i = 0; i < n; i++)
        {
            var j = rng.Next(i, pool.Count);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        pool.RemoveRange(n, pool.Count - n);
        return pool;
    }
}
