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

# Relays, for a node that cannot accept connections (behind a NAT with no port mapping): "off" = never;
# "auto" = when peers see this node at an address that is not its own and advertise_address is "", keep
# a reservation on the first bootstrap peer that offers relay service and advertise the relayed address;
# "peerid@host:port" = always use that relay. Others then reach this node through the relay, end-to-end
# encrypted (the relay sees only ciphertext). See docs/nat.md.
relay = "off"

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

[logging]
# Lowest level written to the console: trace, debug, information, warning or error. "debug" shows
# connection and gossip decisions; "trace" every frame (very verbose).
level = "information"

""";
}
