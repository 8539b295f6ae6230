namespace P2PNode.Training.Byzantine;

/// <summary>
/// How a dishonest node lies while following the protocol (signed, well-formed contributions on time), for
/// measuring the defences (docs/robustness.md). Names are the `--byzantine I:MODE` values.
/// </summary>
public enum AttackMode
{
    /// <summary>"scale": the honest delta × −10 (pushes the model backwards, hard).</summary>
    Scale,
    /// <summary>"amplify": the honest delta × 100 (a huge step in the right direction: breaks training by overshoot).</summary>
    Amplify,
    /// <summary>"signflip": the honest delta negated.</summary>
    SignFlip,
    /// <summary>"noise": a random direction with the honest delta's norm.</summary>
    Noise,
    /// <summary>"zero": free rider: an all-zero delta with the full sample claim.</summary>
    Zero,
    /// <summary>"stale": free rider: the delta it sent the round before (no training this round), full sample claim.</summary>
    Stale,
    /// <summary>"inflate": the honest delta with its sample count × 100, to outweigh everyone in the mean.</summary>
    Inflate,
    /// <summary>"labelflip": data poisoning: trains honestly on labels mapped y → (y + 1) mod classes.</summary>
    LabelFlip,
    /// <summary>"copy": re-signs another node's delta of the same round as its own (credit for someone else's work).</summary>
    Copy,
    /// <summary>"collude": every colluder sends one crafted delta, the coordinate-wise mean minus
    /// <see cref="Attacker.CollusionZ"/> standard deviations of the honest deltas it received ("a little is enough",
    /// Baruch et al. 2019), aimed at slipping under norm and coordinate-wise defences.</summary>
    Collude,
}

public static class AttackModes
{
    private static readonly (string Name, AttackMode Mode)[] Names =
    [
        ("scale", AttackMode.Scale), ("amplify", AttackMode.Amplify), ("signflip", AttackMode.SignFlip), ("noise", AttackMode.Noise),
        ("zero", AttackMode.Zero), ("stale", AttackMode.Stale), ("inflate", AttackMode.Inflate), ("labelflip", AttackMode.LabelFlip),
        ("copy", AttackMode.Copy), ("collude", AttackMode.Collude),
    ];

    public static string Name(this AttackMode mode) => Names.First(n => n.Mode == mode).Name;

    /// <summary>Parses a mode name; <see cref="ArgumentException"/> lists the known ones.</summary>
    public static AttackMode Parse(string name) =>
        Names.FirstOrDefault(n => n.Name == name) is { Name: not null } hit ? hit.Mode
        : throw new ArgumentException($"unknown attack mode '{name}' (known: {string.Join(", ", Names.Select(n => n.Name))})");

    /// <summary>Parses "I:MODE[,I:MODE…]" (node or worker index, mode) into a map; an index given twice is an error.</summary>
    public static IReadOnlyDictionary<int, AttackMode> ParseList(string text, int nodes)
    {
        var map = new Dictionary<int, AttackMode>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = item.IndexOf(':');
            if (colon <= 0 || !int.TryParse(item[..colon], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
                throw new ArgumentException($"'{item}' is not I:MODE (e.g. 3:signflip)");
            if (index >= nodes) throw new ArgumentException($"'{item}': node {index} does not exist (nodes 0..{nodes - 1})");
            if (!map.TryAdd(index, Parse(item[(colon + 1)..]))) throw new ArgumentException($"node {index} is given two attack modes");
        }
        return map;
    }
}
