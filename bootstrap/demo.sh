#!/usr/bin/env bash
# The main job, on one machine: a real local network of p2pnode processes training one Fashion-MNIST model
# together with no coordinator (docs/runtime.md). Each node has its own identity, non-IID data shard, SQLite
# ledger and port; they exchange signed, compressed deltas over Noise-encrypted gossip on loopback. At the end
# every ledger is audited and the swarm is compared with the centralized model and with each node alone.
# A few minutes on 2 cores (the MLP; `--model cnn` trains the CNN, about 10 minutes with its baselines before oneDNN was turned off, longer now: docs/training.md). Extra
# arguments go to `p2pnode swarm` and override these (e.g. --nodes 8 --split classes:2 --model cnn).
set -euo pipefail
cd "$(dirname "$0")/.."

bootstrap/setup.sh
echo "== building p2pnode (Release)"
dotnet build src/P2PNode -c Release -nologo -v q -clp:ErrorsOnly
export MKL_CBWR=COMPATIBLE   # reproducible CPU math: every node computes the same model hash
out=$(mktemp -d /tmp/p2pnode-demo.XXXXXX)
echo "== swarm: 4 nodes, Fashion-MNIST, Dirichlet(0.5) label skew (results in $out)"
dotnet src/P2PNode/bin/Release/net10.0/p2pnode.dll swarm --nodes 4 --model mlp --split dirichlet:0.5 \
  --rounds 20 --inner-steps 20 --eval-samples 500 --work "$out/swarm" --json "$out/swarm.json" "$@"
echo "== audit any node's ledger yourself:  dotnet src/P2PNode/bin/Release/net10.0/p2pnode.dll ledger verify $out/swarm/node-0/ledger.db"
