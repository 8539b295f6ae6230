#!/usr/bin/python3
"""An independent P2PNode peer written only from docs/protocol.md.

Uses Debian's python3-noiseprotocol, python3-msgpack and python3-nacl, nothing from our C# code. It dials a
node, completes the Noise XX handshake with an identity proof, exchanges Hello, sends Pings and checks the
Pongs, then says goodbye with Disconnect. It prints one JSON object with what it saw.

Hostile modes (--mode) make it misbehave on purpose so tests can check that a node rejects, counts and
survives each case: bad-signature, huge-frame, corrupt-ciphertext, wrong-version, garbage-message.
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
    my_proof = msgpack.packb([bytes(identity.verify_key), signed], use_bin_type=True)
    send(noise.write_message(my_proof))
    assert noise.handshake_finished
    return Peer(sock, noise), remote_id


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("address", help="host:port of a running p2pnode")
    ap.add_argument("--expect-peer")
    ap.add_argument("--pings", type=int, default=3)
    ap.add_argument("--mode", default="normal",
                    choices=["normal", "bad-signature", "huge-frame", "corrupt-ciphertext", "wrong-version", "garbage-message"])
    args = ap.parse_args()
    host, port = args.address.rsplit(":", 1)
    identity = nacl.signing.SigningKey.generate()
    my_id = peer_id(bytes(identity.verify_key))
    sock = socket.create_connection((host, int(port)), timeout=10)
    out = {"my_peer_id": my_id, "mode": args.mode}
    try:
        peer, remote_id = handshake(sock, identity, args.mode, args.expect_peer)
        out["remote_peer_id"] = remote_id
        major = 2 if args.mode == "wrong-version" else 1
        hello = [1, major, 0, my_id, [], [], "peer_client.py/1", args.address]
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
