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
# vstest gives a test host 90 s to connect back; a loaded CI machine once needed more (the run was aborted).
export VSTEST_CONNECTION_TIMEOUT=${VSTEST_CONNECTION_TIMEOUT:-600}
echo "== build ($config)"
if ! dotnet build P2PNode.sln -c "$config" -nologo -v q -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

results="$root/out/test-results"
rm -rf "$results"; mkdir -p "$results"
passed=0; failed=0; skipped=0; broken=0
# Bounds so a hung or crashed project is reported and counted, never left to hang the whole run:
#   - a single test running longer than TEST_HANG_TIMEOUT (vstest --blame-hang; the longest test takes about
#     a minute on a loaded 2-core machine) has its test host killed, and the project counts as failed;
#   - a whole project running longer than TEST_PROJECT_TIMEOUT is killed with its process group (GNU timeout).
hang_timeout=${TEST_HANG_TIMEOUT:-10m}
project_timeout=${TEST_PROJECT_TIMEOUT:-40m}
ns='{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}'
# One project at a time: the integration tests start real processes and the torch tests use both cores.
for proj in tests/P2PNode.Core.Tests tests/P2PNode.Training.Tests tests/P2PNode.Tests; do
  name=$(basename "$proj")
  echo "== $name"
  log="$results/$name.log"
  trx="$results/$name.trx"
  # Output goes to a file, not a pipe: a stray grandchild holding a pipe open could otherwise hang the script
  # after the project was killed.
  timeout -k 30s "$project_timeout" \
    dotnet test "$proj" -c "$config" --no-build --nologo --results-directory "$results" \
      --blame-hang --blame-hang-timeout "$hang_timeout" --blame-hang-dump-type none \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" "$@" >"$log" 2>&1
  rc=$?
  grep -E '^\s*(Failed|Skipped) |Error Message|^\s+(Passed|Failed)!|error [A-Z]+[0-9]+|[Aa]borted|inactivity time' "$log" || true
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "$name: KILLED after $project_timeout (TEST_PROJECT_TIMEOUT); last output:"
    tail -n 40 "$log"
  fi
  if [ ! -f "$trx" ]; then
    echo "$name: no results (the test host crashed, hung or did not start; dotnet test exit code $rc); last output:"
    tail -n 40 "$log"
    broken=$((broken + 1))
    continue
  fi
  counts=$(/usr/bin/python3 - "$trx" "$ns" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = sys.argv[2]
c = ET.parse(sys.argv[1]).getroot().find(ns + 'ResultSummary/' + ns + 'Counters')
n = lambda k: int(c.get(k) or 0)
# xunit's skipped tests are not in notExecuted (it stays 0): they are the ones counted in total but not executed.
print(n('passed'), n('failed') + n('error') + n('timeout') + n('aborted'), n('total') - n('executed'))
PY
) || counts=""
  read -r p f s <<<"$counts"
  if [ -z "${s:-}" ]; then
    echo "$name: unreadable results file $trx (dotnet test exit code $rc)"
    broken=$((broken + 1))
    continue
  fi
  # A run aborted by a hang or a crash can leave a results file with no failed test in it: the exit code says.
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "$name: dotnet test exited $rc with no failed test recorded (aborted run: a hang past $hang_timeout or a crash)"
    # The blame collector's sequence file lists the tests in start order: the last one is the culprit.
    seq=$(ls -t "$results"/*/Sequence_*.xml 2>/dev/null | head -n 1)
    [ -n "$seq" ] && echo "$name: last test started: $(grep -o 'Name="[^"]*"' "$seq" | tail -n 1)"
    f=1
  fi
  # The console logger shows "Error Message:" but the message itself is easy to lose in a CI excerpt: print
  # each failed test's message and the top of its stack trace from the results file, in one block.
  if [ "$f" -gt 0 ]; then
    /usr/bin/python3 - "$trx" "$ns" <<'PY' || true
import sys, xml.etree.ElementTree as ET
ns = sys.argv[2]
for r in ET.parse(sys.argv[1]).getroot().iter(ns + 'UnitTestResult'):
    if r.get('outcome') != 'Failed': continue
    print('FAILED ' + r.get('testName'))
    for tag, limit in (('Message', 60), ('StackTrace', 8)):
        e = r.find(f'{ns}Output/{ns}ErrorInfo/{ns}{tag}')
        if e is not None and e.text:
            for line in e.text.strip().splitlines()[:limit]: print('  | ' + line)
PY
  fi
  echo "$name: $p passed, $f failed, $s skipped"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done
failed=$((failed + broken))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
