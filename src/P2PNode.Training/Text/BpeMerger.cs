namespace P2PNode.Training.Text;

/// <summary>
/// The merge loop of <see cref="BpeTrainer"/>: pair counts kept up to date incrementally, the best pair taken from
/// a heap whose stale entries (a count that has since changed) are skipped when they surface.
/// </summary>
internal sealed class BpeMerger
{
    private readonly BpeWord[] _words;
    private readonly Dictionary<long, long> _pairCounts = [];
    private readonly Dictionary<long, List<int>> _pairWords = [];
    // Highest count first, then the lowest key; key = left << 32 | right orders pairs by (left, right).
    private readonly PriorityQueue<long, (long Count, long Key)> _heap =
        new(Comparer<(long Count, long Key)>.Create((x, y) => x.Count != y.Count ? y.Count.CompareTo(x.Count) : x.Key.CompareTo(y.Key)));

    public BpeMerger(BpeWord[] words)
    {
        _words = words;
        for (var w = 0; w < words.Length; w++) AddPairs(w, null);
        foreach (var (key, count) in _pairCounts) _heap.Enqueue(key, (count, key));
    }

    /// <summary>Appends merged tokens' bytes to <paramref name="tokens"/> until it holds <paramref name="vocabularySize"/>.</summary>
    public void Run(int vocabularySize, List<byte[]> tokens)
    {
        var idOfBytes = tokens.Select((b, id) => (Convert.ToBase64String(b), id)).ToDictionary(x => x.Item1, x => x.id);
        var visited = new int[_words.Length];
        var merge = 0;
        while (tokens.Count < vocabularySize && _heap.TryDequeue(out var key, out var entry))
        {
            if (!_pairCounts.TryGetValue(key, out var count) || count != entry.Count || count <= 0) continue;
            int left = (int)(key >> 32), right = (int)key;
            byte[] bytes = [.. tokens[left], .. tokens[right]];
            if (!idOfBytes.TryGetValue(Convert.ToBase64String(bytes), out var merged))
            {
                merged = tokens.Count;
                tokens.Add(bytes);
                idOfBytes.Add(Convert.ToBase64String(bytes), merged);
            }
            merge++;
            var changed = new HashSet<long>();
            var users = _pairWords[key];
            _pairWords.Remove(key);
            foreach (var w in users)
            {
                if (visited[w] == merge) continue;
                visited[w] = merge;
                if (!Contains(_words[w].Symbols, left, right)) continue;
                RemovePairs(w, changed);
                _words[w].Symbols = Replace(_words[w].Symbols, left, right, merged);
                AddPairs(w, changed);
            }
            _pairCounts.Remove(key);
            foreach (var k in changed.Order())
                if (_pairCounts.TryGetValue(k, out var c) && c > 0) _heap.Enqueue(k, (c, k));
        }
    }

    private void AddPairs(int w, HashSet<long>? changed)
    {
        var (symbols, count) = (_words[w].Symbols, _words[w].Count);
        for (var i = 0; i + 1 < symbols.Length; i++)
        {
            var key = (long)symbols[i] << 32 | (uint)symbols[i + 1];
            _pairCounts[key] = _pairCounts.GetValueOrDefault(key) + count;
            if (!_pairWords.TryGetValue(key, out var list)) _pairWords[key] = list = [];
            if (list.Count == 0 || list[^1] != w) list.Add(w);
            changed?.Add(key);
        }
    }

    private void RemovePairs(int w, HashSet<long> changed)
    {
        var (symbols, count) = (_words[w].Symbols, _words[w].Count);
        for (var i = 0; i + 1 < symbols.Length; i++)
        {
            var key = (long)symbols[i] << 32 | (uint)symbols[i + 1];
            _pairCounts[key] -= count;
            changed.Add(key);
        }
    }

    private static bool Contains(int[] s, int left, int right)
    {
        for (var i = 0; i + 1 < s.Length; i++) if (s[i] == left && s[i + 1] == right) return true;
        return false;
    }

    /// <summary>Left to right, non-overlapping: (a, a) in "a a a" gives "aa a".</summary>
    private static int[] Replace(int[] s, int left, int right, int merged)
    {
        var result = new List<int>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (i + 1 < s.Length && s[i] == left && s[i + 1] == right) { result.Add(merged); i++; }
            else result.Add(s[i]);
        }
        return [.. result];
    }
}
