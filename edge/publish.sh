#!/usr/bin/env bash
# Builds the release bundles a technician copies to a factory PC: self-contained single-file telemetry-edge for
# linux-x64 and win-x64, each with its install script and the commented example configuration.
#   edge/publish.sh [OUT_DIR]        (default: dist/) -> telemetry-edge-<version>-linux-x64.tar.gz, -win-x64.zip
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(mkdir -p "${1:-$here/../dist}" && cd "${1:-$here/../dist}" && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
for rid in linux-x64 win-x64; do
    dotnet publish "$here/Telemetry.EdgeAgent" -c Release -r "$rid" --self-contained -p:PublishSingleFile=true \
        -p:DebugType=none -o "$work/$rid" --nologo -v quiet
done
version="$("$work/linux-x64/telemetry-edge" --version | awk '{print $2}' | cut -d+ -f1)"
for rid in linux-x64 win-x64; do
    name="telemetry-edge-$version-$rid"
    mkdir -p "$work/$name"
    cp "$work/$rid"/telemetry-edge* "$work/$name/"
    cp "$here/config/edge.example.yaml" "$work/$name/"
    if [ "$rid" = linux-x64 ]; then
        cp "$here/install.sh" "$work/$name/"
        tar -C "$work" -czf "$out/$name.tar.gz" "$name"
    else
        cp "$here/install.ps1" "$work/$name/"
        (cd "$work" && rm -f "$out/$name.zip" && python3 -m zipfile -c "$out/$name.zip" "$name")
    fi
    echo "$out/$name.$( [ "$rid" = linux-x64 ] && echo tar.gz || echo zip)"
done
