namespace P2PNode.Config;

/// <summary>
/// The commented default node.toml, embedded so `p2pnode init` can write it anywhere. The repository's root
/// node.toml is <c>Render(".p2pnode", null)</c> byte for byte (a test checks it): edit both together.
/// </summary>
public static class DefaultConfigFile
{
    /// <summary>The default text with the given data_dir and passphrase_file (null = none).</summary>
    public static string Render(string dataDir, string? passphraseFile) => Template
        .Replace("@DATA_DIR@", TomlString(dataDir), StringComparison.Ordinal)
        .Replace("@PASSPHRASE_FILE@", TomlString(passphraseFile ?? ""), StringComparison.Ordinal);

    /// <summary>A TOML basic string: quotes, backslashes and control characters escaped.</summary>
    public static string TomlString(string value)
    {
        var sb = new System.Text.StringBuilder("\"");
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    private const string Template = """
# node.toml: the configuration of one p2pnode node.
#
# This file runs as-is on one machine: `p2pnode init` creates the key, then `p2pnode run` starts a node
# listening on 127.0.0.1:7700 with its state in ./.p2pnode. Every key is listed with its default; the full
# reference (types, ranges, defaults) is docs/configuration.md.
#
# Rules: relative paths resolve against the folder holding this file. Unknown sections or keys, wrong types
# and out-of-range values are errors that name the line, so a typo never passes silently.
# Command-line flags override this file: --data-dir (node.data_dir), --listen (network.listen, a
# comma-separated list), --passphrase-file (node.passphrase_file), --log-level (logging.level).

[node]
# Folder for this node's state: key, ledger database, checkpoints. Created when missing. Two nodes on one
# machine need two folders (and two listen ports).
data_dir = @DATA_DIR@

# The node's private key, i.e. its identity; relative to data_dir. `p2pnode init` creates it with mode
# 0600, and the node refuses to start if group or others can read it. Back it up; never copy it to a
# second node (two nodes with one key look like one peer signing conflicting histories).
key_file = "node.key"

# File whose content is the key's passphrase (one trailing newline is ignored). "" = the key is not
# encrypted. Encrypt the key on shared or backed-up machines; the passphrase file itself should be 0600,
# or live on a tmpfs that is filled at boot.
passphrase_file = @PASSPHRASE_FILE@

# Name shown to peers and on the dashboard, e.g. "lab-3-gpu". "" = none (peers see the peer id only).
# At most 64 characters. Self-chosen and unverified: auditors trust the peer id, not the name.
display_name = ""

# Institution running this node, recorded in the ledger for auditors, e.g. "Statistics Norway".
# "" = none. At most 128 characters. Self-declared, like display_name.
organisation = ""

[network]
# Addresses to accept connections on, "ip:port" (IPv6 as "[::]:7700"). 127.0.0.1 = this machine only;
# 0.0.0.0 (all IPv4 interfaces) or [::] to accept peers from other machines; port 0 = any free port.
# 1 to 16 entries.
listen = ["127.0.0.1:7700"]

# Peers to dial at start-up, "peerid@host:port" (host: IP, [IPv6] or DNS name). The peer id pins the key
# the peer must prove, so a wrong address cannot impersonate it. Empty = the first node of a network,
# waiting for others to dial in. Get entries from `p2pnode id` on the other node. Up to 1000 entries.
bootstrap = []

# A published list of bootstrap peers dialled together with `bootstrap` ([[peer]] tables with
# address = "peerid@host:port"; format in docs/configuration.md). A peer id listed in both is dialled once,
# at the address in `bootstrap`. Relative to the folder holding this file; "" = none. The default may be
# missing (a node set up outside the repository has no bootstrap/ folder); any other file must exist.
bootstrap_file = "bootstrap/peers.toml"

# Relays, for a node that cannot accept connections (behind a NAT with no port mapping): "off" = never;
# "auto" = when peers see this node at an address that is not its own and advertise_address is "", keep
# a reservation on the first bootstrap peer that offers relay service and advertise the relayed address;
# "peerid@host:port" = always use that relay. Others then reach this node through the relay, end-to-end
# encrypted (the relay sees only ciphertext). See docs/nat.md.
relay = "off"

# Ask the router to forward the listen port, so that peers can dial a node at home: "auto" = PCP, then
# NAT-PMP, then UPnP-IGD, in the background (start-up never waits for it beyond the discovery budget,
# about 5 s), skipped when the node listens only on loopback or the machine has a public IPv4 address;
# "pcp", "natpmp", "upnp" = that protocol only, always tried; "off" = never. A mapping is renewed at half
# its lifetime, deleted on shutdown, and its external address:port is advertised to peers (unless
# overlay.advertise_address is set). No gateway answering is logged once; relay "auto" still applies.
port_mapping = "auto"

# Inbound connections accepted in total (1 to 100000). Each costs a socket, buffers and a send queue;
# 256 suits a volunteer machine, raise it on a well-connected institutional node.
max_inbound = 256

# Inbound connections from one IP address (1 to max_inbound). Stops one host from taking every slot;
# raise it only when many peers share one address (a campus NAT).
max_inbound_per_address = 8

# The encrypted handshake must finish within this many milliseconds or the socket is closed (100 to
# 600000, less than idle_timeout_ms). Short, so silent connections cannot hold slots; raise it for
# satellite or very lossy links.
handshake_timeout_ms = 5000

# A connection that receives nothing for this long is closed, in milliseconds (1000 to 86400000).
idle_timeout_ms = 60000

# A keepalive is sent after this many milliseconds without sending anything (100 to 3600000, less than
# idle_timeout_ms). About a quarter of idle_timeout_ms tolerates lost keepalives; under 30000 also keeps
# home-router NAT mappings open.
keepalive_interval_ms = 15000

# Largest application frame accepted, in bytes (65536 to 67108864), checked before any allocation.
# Larger objects (model deltas, checkpoints) travel as chunks, so raising it rarely helps.
max_frame_size = 4194304

# Frames queued for one peer before the oldest non-control frames are dropped (16 to 1000000), so a
# slow peer never stalls the node. Memory per peer is bounded by this times the frame sizes in flight.
send_queue_capacity = 1024

[overlay]
# Gossip topic this node subscribes and publishes to, one per training run (1 to 64 bytes, no control
# characters). Nodes with different topics still relay each other's messages, so the overlay stays one
# network; only nodes on the same topic deliver them.
topic = "p2pnode/default"

# "host:port" that other nodes dial to reach this one; it is sent to peers when joining. "" = the first
# listen address, with 0.0.0.0 or [::] replaced by 127.0.0.1, which only works on one machine: set it to
# your public or LAN address (the address peers observe is logged as "external address ..." once known).
advertise_address = ""

# Remember peers seen (id, addresses, last seen, failures) in data_dir/peers.db, so a restarted node
# rejoins from them without bootstrap peers. false = keep nothing between runs.
peer_store = true

[scoring]
# Peer scoring (docs/overlay.md, "Defence"). Every peer starts at 0; misbehaviour subtracts a penalty and
# the score decays back toward 0. At or below graylist_threshold the peer's gossip and announcements are
# ignored; at or below ban_threshold it is disconnected and refused for ban_duration_ms. false = no scores,
# no bans, no per-peer rate limits (connection limits and [permission] still apply).
enabled = true

# Thresholds in points (-1000000 to -1; ban_threshold at most graylist_threshold). With the penalties
# below, one forged signature graylists a peer, forging on gets it banned within about two seconds (see
# graylisted_check_interval_ms), and ten malformed frames get it banned.
graylist_threshold = -40
ban_threshold = -100

# Time for a score to halve on its way back to 0, in milliseconds (1000 to 604800000). Longer remembers
# misbehaviour longer, so a pause does not launder a score.
half_life_ms = 600000

# How long a banned peer is refused, in milliseconds (1000 to 2592000000, 30 days).
ban_duration_ms = 3600000

# Points lost per offence (0 to 1000000; 0 ignores that offence). invalid_message: a frame that does not
# decode, a broken connection (bad ciphertext, oversized frame), stale/replayed/oversized/rejected gossip.
# bad_chunk: transferred bytes that do not match their hash. broken_promise: announced data never served.
# rate_violation: at most one per second while the peer exceeds the rates below. forged_signature: gossip
# whose origin signature does not verify (honest relays verify before forwarding, so it is never an accident).
invalid_message_penalty = 10
bad_chunk_penalty = 25
broken_promise_penalty = 15
rate_violation_penalty = 5
forged_signature_penalty = 50

# A graylisted peer's gossip is dropped unprocessed, except one Gossip message per this many milliseconds,
# whose origin signature is checked: a forgery costs forged_signature_penalty, so a peer that keeps forging
# is banned, while an honest peer (its messages verify) loses nothing and recovers as its score decays.
# 0 = never check; else 10 to 3600000.
graylisted_check_interval_ms = 1000

# Frames and bytes per second accepted from one peer (over all its connections), and the bursts above them;
# frames beyond are dropped before decoding. frames: 1 to 10000000; bytes: 1024 to 1099511627776, and
# byte_burst at least network.max_frame_size. Generous: an honest peer serving chunks at full speed fits.
frames_per_second = 1000
frame_burst = 2000
bytes_per_second = 33554432
byte_burst = 67108864

[permission]
# "open": anyone who completes the handshake may hold a session. "allowlist": only the peers below and
# holders of a membership certificate signed by federation_key; anyone else gets Disconnect(NotAllowed)
# right after the handshake, before any other message is processed.
mode = "open"

# Peer ids admitted in allowlist mode (from `p2pnode id` on each member). Up to 10000 entries.
peers = []

# File with more admitted peer ids, one per line ('#' starts a comment line). "" = none. Read at start-up.
peers_file = ""

# Peer id form of the federation's Ed25519 public key (`p2pnode id` in the folder of the key that signs
# certificates). In allowlist mode, a peer presenting an unexpired certificate signed by it is admitted.
# "" = admit listed ids only.
federation_key = ""

# This node's own membership certificate (one base64 line, format in docs/overlay.md), presented to every
# peer so that permissioned nodes of the federation admit it; works in either mode. "" = none.
certificate_file = ""

[relay]
# Offer relay service to peers that cannot accept connections (advertised as "relay/1"). Only on a node
# that others reach directly. Relayed traffic costs this node's bandwidth: the limits below bound it.
serve = false

# Peers holding a reservation at once (1 to 100000).
max_reservations = 64

# How long a reservation lasts unless renewed, in milliseconds (10000 to 86400000); holders renew at half.
reservation_ttl_ms = 600000

# Circuits open at once to one reserved peer (1 to 10000), and on this relay in total (1 to 100000).
max_circuits_per_reservation = 8
max_circuits = 128

# Bytes one circuit may carry, both directions together (65536 to 1099511627776), and how long it may
# stay open in milliseconds (1000 to 86400000); then it is closed and the ends dial again.
max_circuit_bytes = 67108864
max_circuit_duration_ms = 1800000

[training]
# This node's own text for language-model runs: a file or a folder of .txt, .md, .html and .jsonl files (each
# optionally .gz; JSONL lines carry a "text" field), read as a stream. It never leaves this machine: only
# compressed, signed model deltas do. "" = none (runs on Fashion-MNIST need no data here).
# `p2pnode run --corpus PATH` overrides it. Relative to this file's folder.
data = ""

# Percent of the corpus held out to measure the model (1 to 50): the tail of the text, in file order. Held-out
# text never trains.
held_out_percent = 10

# Train on at most this many bytes of the training part (0 = all), e.g. to see what a low-resource node gains.
train_bytes = 0

# Where training runs: "cpu", "auto" (CUDA when present, else the CPU), "cuda" or "cuda:N". Nodes of one run
# may use different devices; their results then differ in the last bits (each node's model hash is its own
# computation, and aggregation is exact arithmetic in C#, so the run still converges to one model).
device = "cpu"

[logging]
# Lowest level written to the console: trace, debug, information, warning or error. "debug" shows
# connection and gossip decisions; "trace" every frame (very verbose).
level = "information"

""";
}
