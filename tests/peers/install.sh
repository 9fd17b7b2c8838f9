#!/usr/bin/env bash
# Installs the real peers the test suites start (only what is missing): InfluxDB 1.x, VictoriaMetrics,
# Mosquitto, Debian's Chromium, and the npm packages under hardware/ (node-opcua). Idempotent; run as root
# (or with sudo available) on Debian 12.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

need=()
command -v influxd >/dev/null 2>&1 || need+=(influxdb influxdb-client)
command -v victoria-metrics >/dev/null 2>&1 || need+=(victoria-metrics)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto mosquitto-clients)
command -v mosquitto_pub >/dev/null 2>&1 || need+=(mosquitto-clients)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
command -v openssl >/dev/null 2>&1 || need+=(openssl)

if [ ${#need[@]} -gt 0 ]; then
  echo "peers: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Debian starts packaged daemons on install; the suites start their own on free ports, so stop those.
for svc in influxdb mosquitto victoria-metrics; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $SUDO systemctl stop "$svc" || true
  fi
done

# npm peers (node-opcua simulated PLC, Sparkplug B reference client, chart library) live in their own folders.
for dir in "$root"/hardware/*/; do
  if [ -f "$dir/package.json" ] && [ ! -d "$dir/node_modules" ]; then
    echo "peers: npm install in ${dir#$root/}"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
done
echo "peers: ready"
