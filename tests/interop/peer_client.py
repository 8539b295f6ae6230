#!/usr/bin/python3
"""An independent P2PNode peer written only from docs/protocol.md.

Uses Debian's python3-noiseprotocol, python3-msgpack and python3-nacl, nothing from our C# code. It dials a
node, completes the Noise XX handshake with an identity proof, exchanges Hello, sends Pings and checks the
Pongs, then says goodbye with Disconnect. It prints one JSON object with what it saw.

Hostile modes (--mode) make it misbehave on purpose so tests can check that a node rejects, counts and
survives each case: bad-signature, huge-frame, corrupt-ciphertext, wrong-version, garbage-message, str-proof
(identity proof elements as MessagePack str instead of bin), long-hello (a first frame that is a Hello with 17
listen addresses, one over the limit).

Session modes check what docs/protocol.md says about sessions: upper-case-id (Hello names this peer's id in upper
case, then pings), duplicate (a second session with the same identity; reports how each one fares), stray (stays
connected without joining the overlay and reports when and how the node closes the session).
"""
import argparse, base64, hashlib, json, os, socket, struct, sys, time

import msgpack
import nacl.bindings
import nacl.signing
from noiseprotocol.connection import Keypair, NoiseConnection

PROTOCOL = b"Noise_XX_25519_ChaChaPoly_SHA256"
PROLOGUE = b"p2pnode"
PROOF_CONTEXT = b"p2pnode-noise-static-key:"


def peer_id(public_key: bytes) -> str:
    checksum = hashlib.sha256(b"p2pnode-peer-id" + public_key).digest()[:4]
    return "p2p1" + base64.b32encode(public_key + checksum).decode().lower().rstrip("=")


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return buf


class Peer:
    def __init__(self, sock, noise):
        self.sock, self.noise, self.plain = sock, noise, b""

    def send_frames(self, *bodies, corrupt=False):
        stream = b"".join(struct.pack(">I", len(b)) + b for b in bodies)
        for i in range(0, len(stream), 65519):
            ct = bytearray(self.noise.encrypt(stream[i:i + 65519]))
            if corrupt:
                ct[len(ct) // 2] ^= 0x01
            self.sock.sendall(struct.pack(">H", len(ct)) + bytes(ct))

    def _fill(self, n):
        while len(self.plain) < n:
            (length,) = struct.unpack(">H", recv_exact(self.sock, 2))
            self.plain += self.noise.decrypt(recv_exact(self.sock, length))

    def recv_frame(self):
        self._fill(4)
        (length,) = struct.unpack(">I", self.plain[:4])
        self._fill(4 + length)
        body, self.plain = self.plain[4:4 + length], self.plain[4 + length:]
        return msgpack.unpackb(body, raw=False)


def handshake(sock, identity, mode, expect_peer):
    static_private = os.urandom(32)
    static_public = nacl.bindings.crypto_scalarmult_base(static_private)
    noise = NoiseConnection.from_name(PROTOCOL)
    noise.set_as_initiator()
    noise.set_keypair_from_private_bytes(Keypair.STATIC, static_private)
    noise.set_prologue(PROLOGUE)
    noise.start_handshake()

    def send(msg):
        sock.sendall(struct.pack(">H", len(msg)) + msg)

    def recv():
        (length,) = struct.unpack(">H", recv_exact(sock, 2))
        return recv_exact(sock, length)

    send(noise.write_message(b""))
    proof = msgpack.unpackb(noise.read_message(recv()), raw=False)
    remote_static = noise.noise_protocol.handshake_state.rs.public_bytes
    assert isinstance(proof, list) and len(proof) == 2, "identity proof must be a 2-element array"
    remote_key, signature = bytes(proof[0]), bytes(proof[1])
    nacl.signing.VerifyKey(remote_key).verify(PROOF_CONTEXT + remote_static, signature)
    remote_id = peer_id(remote_key)
    if expect_peer and expect_peer != remote_id:
        raise SystemExit(f"identity mismatch: expected {expect_peer}, peer proved {remote_id}")

    signed = identity.sign(PROOF_CONTEXT + static_public).signature
    if mode == "bad-signature":
        signed = bytes([signed[0] ^ 0xFF]) + signed[1:]
    # str-proof: the same bytes as MessagePack str (use_bin_type=False), which section 2.2 forbids
    my_proof = msgpack.packb([bytes(identity.verify_key), signed], use_bin_type=(mode != "str-proof"))
    send(noise.write_message(my_proof))
    assert noise.handshake_finished
    return Peer(sock, noise), remote_id


def hello_frame(my_id, address, listen=()):
    return msgpack.packb([1, 1, 0, my_id, list(listen), [], "peer_client.py/1", address], use_bin_type=True)


def connect(address, identity, expect_peer, timeout=10):
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=timeout)
    peer, remote_id = handshake(sock, identity, "normal", expect_peer)
    return sock, peer, remote_id


def read_frames(peer, seconds, until=lambda msg: False):
    """Frames received for up to `seconds` (answering keep-alive Pings) until `until(frame)` holds or the node
    closes; returns (frames, how it ended: "until", "closed" or "time")."""
    frames, deadline = [], time.time() + seconds
    while time.time() < deadline:
        try:
            msg = peer.recv_frame()
        except (EOFError, ConnectionResetError, socket.timeout):
            return frames, "closed"
        frames.append(msg)
        if msg[0] == 2:
            peer.send_frames(msgpack.packb([3, msg[1]]))
        if until(msg):
            return frames, "until"
    return frames, "time"


def ping(peer):
    nonce = int.from_bytes(os.urandom(8), "big")
    peer.send_frames(msgpack.packb([2, nonce]))
    frames, how = read_frames(peer, 10, lambda m: m[0] == 3 and m[1] == nonce)
    return how == "until"


def disconnect_of(frames):
    d = next((m for m in frames if m[0] == 4), None)
    return None if d is None else {"reason": d[1], "message": d[2]}


def session_mode(args, identity, my_id):
    """upper-case-id, duplicate and stray (see the module text); returns what it saw."""
    out = {}
    sock, peer, remote_id = connect(args.address, identity, args.expect_peer, timeout=20)
    named = my_id.upper() if args.mode == "upper-case-id" else my_id
    peer.send_frames(hello_frame(named, args.address))
    first = peer.recv_frame()
    out["first"] = first[0]
    if first[0] != 1:
        out["disconnect"] = disconnect_of([first])
        return out
    if args.mode == "upper-case-id":
        out["pong_ok"] = ping(peer)
    elif args.mode == "duplicate":
        sock2, peer2, _ = connect(args.address, identity, args.expect_peer)
        peer2.send_frames(hello_frame(my_id, args.address))
        out["second_first"] = peer2.recv_frame()[0]
        frames, how = read_frames(peer, 10, lambda m: m[0] == 4)
        out["first_session"] = {"disconnect": disconnect_of(frames), "ended": how}
        out["second_pong_ok"] = ping(peer2)
        sock2.close()
    elif args.mode == "stray":
        started = time.time()
        frames, how = read_frames(peer, 20, lambda m: m[0] == 4)
        out["types"] = [m[0] for m in frames]
        out["disconnect"] = disconnect_of(frames)
        out["ended"] = how
        out["seconds"] = round(time.time() - started, 2)
    sock.close()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("address", help="host:port of a running p2pnode")
    ap.add_argument("--expect-peer")
    ap.add_argument("--pings", type=int, default=3)
    ap.add_argument("--mode", default="normal",
                    choices=["normal", "bad-signature", "huge-frame", "corrupt-ciphertext", "wrong-version", "garbage-message",
                             "str-proof", "long-hello", "upper-case-id", "duplicate", "stray"])
    args = ap.parse_args()
    host, port = args.address.rsplit(":", 1)
    identity = nacl.signing.SigningKey.generate()
    my_id = peer_id(bytes(identity.verify_key))
    if args.mode in ("upper-case-id", "duplicate", "stray"):
        print(json.dumps({"my_peer_id": my_id, "mode": args.mode, **session_mode(args, identity, my_id)}))
        return
    sock = socket.create_connection((host, int(port)), timeout=10)
    out = {"my_peer_id": my_id, "mode": args.mode}
    try:
        peer, remote_id = handshake(sock, identity, args.mode, args.expect_peer)
        out["remote_peer_id"] = remote_id
        major = 2 if args.mode == "wrong-version" else 1
        listen = ["127.0.0.1:%d" % (7000 + i) for i in range(17)] if args.mode == "long-hello" else []
        hello = [1, major, 0, my_id, listen, [], "peer_client.py/1", args.address]
        peer.send_frames(msgpack.packb(hello, use_bin_type=True))
        if args.mode == "huge-frame":
            # Claim a 2 GB frame: the node must refuse before allocating anything.
            ct = peer.noise.encrypt(struct.pack(">I", 0x80000000))
            sock.sendall(struct.pack(">H", len(ct)) + ct)
        elif args.mode == "corrupt-ciphertext":
            peer.send_frames(msgpack.packb([2, 1]), corrupt=True)
        elif args.mode == "garbage-message":
            peer.send_frames(b"\xc1\xc1\xc1", msgpack.packb([2, "not a nonce"]), msgpack.packb([250, 1]))  # 250: unknown (99 is ConnectRequest since the relay)
        frames = []
        remote_hello = None
        rtts = []
        deadline = time.time() + 10
        while time.time() < deadline:
            msg = peer.recv_frame()
            frames.append(msg[0])
            if msg[0] == 1:
                remote_hello = msg
                out["remote_hello"] = {"version": [msg[1], msg[2]], "peer_id": msg[3], "listen": msg[4],
                                       "capabilities": msg[5], "agent": msg[6], "observed": msg[7]}
                if msg[3] != remote_id:
                    raise SystemExit("Hello names a different peer than the handshake proved")
                if args.mode != "normal":
                    continue
                for i in range(args.pings):
                    nonce = int.from_bytes(os.urandom(8), "big")
                    started = time.perf_counter()
                    peer.send_frames(msgpack.packb([2, nonce]))
                    while True:
                        reply = peer.recv_frame()
                        if reply[0] == 3 and reply[1] == nonce:
                            rtts.append((time.perf_counter() - started) * 1000)
                            break
                        if reply[0] == 2:  # the node's keep-alive: answer it
                            peer.send_frames(msgpack.packb([3, reply[1]]))
                out["pong_ok"] = len(rtts) == args.pings
                out["rtt_ms"] = rtts
                peer.send_frames(msgpack.packb([4, 0, "peer_client done"]))
                break
            if msg[0] == 4:
                out["disconnect"] = {"reason": msg[1], "message": msg[2]}
                break
            if msg[0] == 5:
                out.setdefault("errors", []).append({"code": msg[1], "message": msg[2]})
                if args.mode == "garbage-message" and len(out["errors"]) == 3:
                    break
    except (EOFError, ConnectionResetError, BrokenPipeError) as e:
        out["closed"] = str(e) or type(e).__name__
    finally:
        sock.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
