using P2PNode.Identity;
using P2PNode.Wire;

namespace P2PNode.Overlay.Sim;

/// <summary>
/// The simulated network: links with latency, loss and per-direction FIFO order; dials that succeed after a
/// round trip or fail when nobody alive answers; closes that reach the other end after what was already in
/// flight; crashes that neighbours notice only after <see cref="SimOptions.CrashDetectMs"/>. Every message is
/// really encoded and decoded with <see cref="WireCodec"/>, so byte counts are the frames a node would send.
/// </summary>
internal sealed class SimNetwork(SimScheduler clock, SimOptions options, Random rng, SimTraffic traffic)
{
    /// <summary>Virtual time 0 as Unix milliseconds, so signed timestamps look like real ones.</summary>
    public const long Epoch = 1_700_000_000_000;

    private readonly Dictionary<(int, int), SimLink> _links = [];
    private readonly Dictionary<string, SimNode> _byAddress = new(StringComparer.Ordinal);

    public SimScheduler Clock => clock;
    public SimTraffic Traffic => traffic;
    public long NowMs => Epoch + clock.Now;

    public void Register(SimNode node) => _byAddress[node.Address] = node;

    private static (int, int) Key(SimNode a, SimNode b) => a.Index < b.Index ? (a.Index, b.Index) : (b.Index, a.Index);
    private int Latency() => rng.Next(options.LatencyMinMs, options.LatencyMaxMs + 1);

    public void Send(SimNode from, PeerId peer, WireMessage message)
    {
        if (!from.Links.TryGetValue(peer, out var link))
        {
            traffic.NotConnected++;
            return;
        }
        var frame = WireCodec.Encode(message);
        traffic.Count(message, frame.Length + 4);
        var to = link.Other(from);
        var delay = link.LatencyMs;
        if (options.LossRate > 0 && rng.NextDouble() < options.LossRate)
        {
            traffic.Lost++;
            if (options.LossMode == LossMode.Drop) return;
            delay += options.RetransmitTimeoutMs;
        }
        clock.At(link.ArrivalTime(from, clock.Now + delay), () =>
        {
            if (!to.Alive || !to.Links.TryGetValue(from.Id, out var current) || current != link)
            {
                traffic.DroppedAtReceiver++;
                return;
            }
            to.Node.OnMessage(from.Id, WireCodec.Decode(frame), NowMs);
        });
    }

    public void Connect(SimNode from, PeerId peer, string address)
    {
        if (from.Links.ContainsKey(peer))
        {
            clock.At(clock.Now, () =>
            {
                if (from.Alive && from.Links.ContainsKey(peer)) from.Node.OnConnected(peer, NowMs);
            });
            return;
        }
        if (from.Dialing.ContainsKey(peer)) return;
        var token = new object();
        from.Dialing[peer] = token;
        _byAddress.TryGetValue(address, out var target);
        if (target is null || target.Id != peer || target == from)
        {
            clock.At(clock.Now + 2 * Latency(), () => FailDial(from, peer, token));
            return;
        }
        var key = Key(from, target);
        if (_links.TryGetValue(key, out var existing) && !existing.Closed) return; // comes up through that link
        var link = new SimLink(from, target, Latency());
        _links[key] = link;
        clock.At(clock.Now + link.LatencyMs, () => Accept(link));
        clock.At(clock.Now + 2 * link.LatencyMs, () => Complete(link, token));
    }

    private void FailDial(SimNode from, PeerId peer, object token)
    {
        if (!from.Alive || !from.Dialing.TryGetValue(peer, out var t) || t != token) return;
        from.Dialing.Remove(peer);
        from.Node.OnDisconnected(peer, NowMs);
    }

    private void Accept(SimLink link)
    {
        var (dialer, target) = (link.Dialer, link.Target);
        if (link.Closed || !target.Alive || !dialer.Alive) return;
        target.Links[dialer.Id] = link;
        // If the target was dialling the dialer at the same time, this link serves both.
        target.Dialing.Remove(dialer.Id);
        target.Node.OnConnected(dialer.Id, NowMs);
    }

    private void Complete(SimLink link, object token)
    {
        var (dialer, target) = (link.Dialer, link.Target);
        if (!dialer.Alive) return;
        var mine = dialer.Dialing.TryGetValue(target.Id, out var t) && t == token;
        if (mine) dialer.Dialing.Remove(target.Id);
        var up = !link.Closed && target.Alive && target.Links.TryGetValue(dialer.Id, out var l) && l == link;
        if (up && mine)
        {
            dialer.Links[target.Id] = link;
            dialer.Node.OnConnected(target.Id, NowMs);
            return;
        }
        if (up)
        {
            CloseLink(link, dialer); // cancelled by the node meanwhile
            return;
        }
        link.Closed = true;
        if (_links.TryGetValue(Key(dialer, target), out var x) && x == link) _links.Remove(Key(dialer, target));
        if (mine) dialer.Node.OnDisconnected(target.Id, NowMs);
    }

    public void Disconnect(SimNode from, PeerId peer)
    {
        from.Dialing.Remove(peer);
        if (from.Links.Remove(peer, out var link))
        {
            CloseLink(link, from);
            return;
        }
        var pending = _links.Values.FirstOrDefault(l => l.Dialer == from && l.Target.Id == peer && !l.Closed);
        if (pending is not null) CloseLink(pending, from);
    }

    private void CloseLink(SimLink link, SimNode closer)
    {
        link.Closed = true;
        var key = Key(link.Dialer, link.Target);
        if (_links.TryGetValue(key, out var x) && x == link) _links.Remove(key);
        var other = link.Other(closer);
        clock.At(link.ArrivalTime(closer, clock.Now + link.LatencyMs), () => NotifyClosed(other, closer, link));
    }

    private void NotifyClosed(SimNode at, SimNode peer, SimLink link)
    {
        if (!at.Alive || !at.Links.TryGetValue(peer.Id, out var current) || current != link) return;
        at.Links.Remove(peer.Id);
        at.Node.OnDisconnected(peer.Id, NowMs);
    }

    /// <summary>The node stops dead: no goodbye; its neighbours notice after the crash detection delay.</summary>
    public void Crash(SimNode node)
    {
        node.Alive = false;
        node.LeftAt = clock.Now;
        foreach (var (key, link) in _links.Where(kv => kv.Value.Dialer == node || kv.Value.Target == node).ToList())
        {
            link.Closed = true;
            _links.Remove(key);
            var other = link.Other(node);
            clock.At(clock.Now + options.CrashDetectMs + link.LatencyMs, () => NotifyClosed(other, node, link));
        }
        node.Links.Clear();
        node.Dialing.Clear();
    }

    /// <summary>Starts the node's periodic timer (random phase, so nodes do not tick in lockstep).</summary>
    public void StartTicking(SimNode node, long tickMs)
    {
        void Tick()
        {
            if (!node.Alive) return;
            node.Node.OnTimer(NowMs);
            clock.At(clock.Now + tickMs, Tick);
        }
        clock.At(clock.Now + rng.Next(1, (int)tickMs + 1), Tick);
    }
}
