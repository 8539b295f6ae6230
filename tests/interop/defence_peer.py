#!/usr/bin/python3
"""A misbehaving P2PNode peer for the defence tests (peer scoring and bans), written from docs/protocol.md and
docs/overlay.md on top of peer_client.py's handshake.

It dials a node with the Ed25519 identity of --seed (so a second run is the same peer), sends Hello, then
--forged Gossip messages whose signature is random bytes (a forgery: section 2 of docs/overlay.md; --forged-every
seconds apart) and --garbage
frames that are not MessagePack at all, then --valid Gossip messages it originates itself (properly signed,
--valid-every seconds apart), and reads until the node disconnects or closes. It prints one JSON
object: "first" (the type of the node's first frame: 1 Hello, 4 Disconnect), "disconnect" (reason and message
of a Disconnect), "errors" (Error frames received) and "closed" (the connection ended without a Disconnect).
"""
import argparse, hashlib, json, os, select, socket, struct, sys, time

import msgpack
import nacl.signing

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_client import handshake, peer_id  # noqa: E402


def forged_gossip(topic, n):
    origin = bytes(nacl.signing.SigningKey.generate().verify_key)
    now = int(time.time() * 1000)
    return msgpack.packb([32, topic, origin, now * 1000 + n, now, b"forged %d" % n, os.urandom(64), 1], use_bin_type=True)


def valid_gossip(identity, topic, n):
    """A Gossip message this peer really originates, signed as docs/overlay.md section 2 says."""
    origin = bytes(identity.verify_key)
    now = int(time.time() * 1000)
    seq = now * 1000 + n
    payload = b"valid %d" % n
    t = topic.encode()
    signed = (b"p2pnode/gossip/1" + bytes([len(t)]) + t + origin + struct.pack(">QQ", seq, now)
              + hashlib.sha256(payload).digest())
    signature = identity.sign(signed).signature
    return msgpack.packb([32, topic, origin, seq, now, payload, signature, 1], use_bin_type=True)


def pause(peer, sock, seconds, out):
    """Waits, reading meanwhile: answers keep-alives; a Disconnect is recorded and ends the run (EOFError)."""
    until = time.time() + seconds
    while True:
        left = until - time.time()
        if left <= 0 or not (peer.plain or select.select([sock], [], [], left)[0]):
            return
        msg = peer.recv_frame()
        if msg[0] == 2:
            peer.send_frames(msgpack.packb([3, msg[1]]))
        elif msg[0] == 5:
            out["errors"] += 1
        elif msg[0] == 4:
            out["disconnect"] = {"reason": msg[1], "message": msg[2]}
            raise EOFError("disconnected")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("address")
    ap.add_argument("--seed", required=True, help="64 hex digits: the Ed25519 seed of this peer's identity")
    ap.add_argument("--forged", type=int, default=0)
    ap.add_argument("--forged-every", type=float, default=0.0, help="seconds between the forged messages")
    ap.add_argument("--garbage", type=int, default=0)
    ap.add_argument("--valid", type=int, default=0, help="then this many validly signed Gossip messages of its own")
    ap.add_argument("--valid-every", type=float, default=0.0, help="seconds between the valid messages (the first follows at once)")
    ap.add_argument("--topic", default="p2pnode/default")
    ap.add_argument("--wait", type=float, default=10.0, help="seconds to wait for the node to close")
    args = ap.parse_args()
    host, port = args.address.rsplit(":", 1)
    identity = nacl.signing.SigningKey(bytes.fromhex(args.seed))
    my_id = peer_id(bytes(identity.verify_key))
    out = {"my_peer_id": my_id, "errors": 0}
    sock = socket.create_connection((host, int(port)), timeout=args.wait)
    try:
        peer, remote_id = handshake(sock, identity, "normal", None)
        peer.send_frames(msgpack.packb([1, 1, 0, my_id, [], [], "defence_peer.py/1", args.address], use_bin_type=True))
        first = peer.recv_frame()
        out["first"] = first[0]
        if first[0] == 4:
            out["disconnect"] = {"reason": first[1], "message": first[2]}
        else:
            for i in range(args.forged):
                if i > 0:
                    pause(peer, sock, args.forged_every, out)
                peer.send_frames(forged_gossip(args.topic, i))
            for _ in range(args.garbage):
                peer.send_frames(b"\xc1")
            for i in range(args.valid):
                if i > 0:
                    pause(peer, sock, args.valid_every, out)
                peer.send_frames(valid_gossip(identity, args.topic, i + 1))
            deadline = time.time() + args.wait
            while time.time() < deadline:
                msg = peer.recv_frame()
                if msg[0] == 2:  # keep-alive: answer it
                    peer.send_frames(msgpack.packb([3, msg[1]]))
                elif msg[0] == 5:
                    out["errors"] += 1
                elif msg[0] == 4:
                    out["disconnect"] = {"reason": msg[1], "message": msg[2]}
                    break
    except (EOFError, ConnectionResetError, BrokenPipeError, socket.timeout) as e:
        out["closed"] = str(e) or type(e).__name__
    finally:
        sock.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
