#!/usr/bin/env bash
# Builds the whole solution and runs every test project; the last line is "N passed, N failed, N skipped".
# Usage: bootstrap/test.sh [extra dotnet test args, e.g. --filter FullyQualifiedName~Wire]
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
config=${CONFIGURATION:-Release}

bootstrap/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Reproducible MKL math in libtorch (same inputs, same model hash); see tests/P2PNode.Training.Tests/torch.runsettings.
export MKL_CBWR=COMPATIBLE
echo "== build ($config)"
if ! dotnet build P2PNode.sln -c "$config" -nologo -v q -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

results="$root/out/test-results"
rm -rf "$results"; mkdir -p "$results"
passed=0; failed=0; skipped=0; broken=0
# One project at a time: the integration tests start real processes and the torch tests use both cores.
for proj in tests/P2PNode.Core.Tests tests/P2PNode.Training.Tests tests/P2PNode.Tests; do
  name=$(basename "$proj")
  echo "== $name"
  log="$results/$name.log"
  dotnet test "$proj" -c "$config" --no-build --nologo --results-directory "$results" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" \
    | grep -E '^\s*(Failed|Skipped) |Error Message|^\s+(Passed|Failed)!|error' || true
  trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "$name: no results (the test host crashed or did not start)"
    broken=$((broken + 1))
    continue
  fi
  read -r p f s < <(/usr/bin/python3 - "$trx" <<'PY'
import sys, xml.etree.ElementTree as ET
c = ET.parse(sys.argv[1]).getroot().find('{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}ResultSummary/{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}Counters')
print(c.get('passed'), int(c.get('failed')) + int(c.get('error')) + int(c.get('timeout')) + int(c.get('aborted')), c.get('notExecuted'))
PY
)
  echo "$name: $p passed, $f failed, $s skipped"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done
failed=$((failed + broken))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
