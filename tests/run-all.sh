#!/usr/bin/env bash
# The one test command: installs the real peers if missing, builds, runs every test project, and ends with
# one line that sums them all: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

bash tests/peers/install.sh || { echo "peer installation failed"; echo "0 passed, 1 failed"; exit 1; }

if ! dotnet build Telemetry.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

passed=0; failed=0; skipped=0
log_dir="$(mktemp -d)"
for proj in tests/*/*.Tests.csproj; do
  name="$(basename "$proj" .csproj)"
  log="$log_dir/$name.log"
  echo "=== $name"
  timeout 1800 dotnet test "$proj" -c Release --no-build -nologo \
    --blame-hang-timeout 10m >"$log" 2>&1
  rc=$?
  grep -E '^\s*(Failed|Skipped) ' "$log" | head -50
  grep -E -A20 '^\s*Failed [A-Za-z]' "$log" | grep -E 'Error Message|Assert|Exception' | head -30
  line="$(grep -E '(Passed|Failed)!\s+-\s+Failed:' "$log" | tail -1)"
  if [ -z "$line" ]; then
    if grep -q 'No test is available' "$log"; then echo "    (no tests)"; continue; fi
    tail -30 "$log"
    echo "    $name: no summary (exit $rc) - counted as 1 failed"
    failed=$((failed + 1)); continue
  fi
  echo "    $line"
  f=$(sed -E 's/.*Failed:\s*([0-9]+).*/\1/' <<<"$line")
  p=$(sed -E 's/.*Passed:\s*([0-9]+).*/\1/' <<<"$line")
  s=$(sed -E 's/.*Skipped:\s*([0-9]+).*/\1/' <<<"$line")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if [ "$rc" != "0" ] && [ "$f" = "0" ]; then
    tail -30 "$log"; echo "    $name: exit $rc with no failed test - counted as 1 failed"; failed=$((failed + 1))
  fi
done
echo "logs: $log_dir"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = "0" ]
