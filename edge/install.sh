#!/usr/bin/env bash
# Installs (or removes) the Telemetry edge agent as a systemd service on a Linux factory PC.
#
#   sudo ./install.sh                      install from the telemetry-edge binary next to this script
#   sudo ./install.sh --config my.yaml     ... with a prepared configuration
#   sudo ./install.sh --uninstall          remove the service and binary; keep configuration and buffered data
#   sudo ./install.sh --uninstall --purge  ... and delete configuration, buffered data and the service user
#   ./install.sh --root /tmp/x             lay the whole install out under /tmp/x (tests, portable installs):
#                                          the unit and the configuration then point inside /tmp/x
#
# Layout: /opt/telemetry-edge/telemetry-edge (binary, linked from /usr/local/bin), /etc/telemetry-edge/edge.yaml
# (configuration), /etc/telemetry-edge/edge.env (secrets such as TELEMETRY_TOKEN, mode 0600),
# /var/lib/telemetry-edge (spool, quarantine, PKI), /etc/systemd/system/telemetry-edge.service.
set -euo pipefail

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --binary FILE   the telemetry-edge executable to install (default: next to this script, or built from the
                  source checkout this script sits in)
  --config FILE   configuration to install when none exists yet (default: the commented example)
  --root DIR      install under DIR instead of /
  --user NAME     service account (default: telemetry-edge)
  --no-start      install and enable, but do not start the service
  --uninstall     remove the agent; keeps /etc/telemetry-edge and /var/lib/telemetry-edge
  --purge         with --uninstall: also delete configuration, data and the service account
EOF
}

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "==> $*"; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="" binary="" config="" user="telemetry-edge" start=1 uninstall=0 purge=0
while [ $# -gt 0 ]; do
    case "$1" in
        --root) [ $# -ge 2 ] || die "--root needs a folder"; root="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
        --binary) [ $# -ge 2 ] || die "--binary needs a file"; binary="$2"; shift 2 ;;
        --config) [ $# -ge 2 ] || die "--config needs a file"; config="$2"; shift 2 ;;
        --user) [ $# -ge 2 ] || die "--user needs a name"; user="$2"; shift 2 ;;
        --no-start) start=0; shift ;;
        --uninstall) uninstall=1; shift ;;
        --purge) purge=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done
[ "$purge" = 0 ] || [ "$uninstall" = 1 ] || die "--purge only goes with --uninstall"

opt_dir="$root/opt/telemetry-edge"
bin_link="$root/usr/local/bin/telemetry-edge"
etc_dir="$root/etc/telemetry-edge"
data_dir="$root/var/lib/telemetry-edge"
unit_dir="$root/etc/systemd/system"
unit="$unit_dir/telemetry-edge.service"
exe="$opt_dir/telemetry-edge"

# Only a real install (no --root, running as root, systemd as init) touches users and the service manager.
real_system=0
if [ -z "$root" ]; then
    [ "$(id -u)" = 0 ] || die "run as root (sudo), or pass --root DIR for an install under DIR"
    real_system=1
fi
have_systemd() { [ "$real_system" = 1 ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; }

if [ "$uninstall" = 1 ]; then
    if have_systemd; then
        systemctl disable --now telemetry-edge.service 2>/dev/null || true
    fi
    rm -f "$unit" "$bin_link"
    rm -rf "$opt_dir"
    if have_systemd; then systemctl daemon-reload; fi
    if [ "$purge" = 1 ]; then
        rm -rf "$etc_dir" "$data_dir"
        if [ "$real_system" = 1 ] && id "$user" >/dev/null 2>&1; then userdel "$user" || true; fi
        say "removed the agent, its configuration, its buffered data and the account '$user'"
    else
        say "removed the agent; kept $etc_dir and $data_dir (buffered data). --uninstall --purge deletes them."
    fi
    exit 0
fi

# 1. The binary: given, shipped next to this script, or built from the checkout this script is part of.
if [ -z "$binary" ]; then
    if [ -x "$here/telemetry-edge" ]; then
        binary="$here/telemetry-edge"
    elif [ -f "$here/Telemetry.EdgeAgent/Telemetry.EdgeAgent.csproj" ] && command -v dotnet >/dev/null; then
        say "building a self-contained telemetry-edge from the source checkout"
        build_dir="$(mktemp -d)"
        trap 'rm -rf "$build_dir"' EXIT
        dotnet publish "$here/Telemetry.EdgeAgent" -c Release -r linux-x64 --self-contained \
            -p:PublishSingleFile=true -o "$build_dir" --nologo -v quiet >&2
        binary="$build_dir/telemetry-edge"
    else
        die "no telemetry-edge binary next to this script; pass --binary FILE"
    fi
fi
[ -f "$binary" ] || die "binary '$binary' does not exist"
"$binary" --version >/dev/null 2>&1 || die "'$binary' does not run on this machine (is it the linux-x64 build?)"

# 2. The service account (a real install only).
if [ "$real_system" = 1 ] && ! id "$user" >/dev/null 2>&1; then
    say "creating the system account '$user'"
    useradd --system --no-create-home --home-dir /var/lib/telemetry-edge --shell /usr/sbin/nologin "$user"
fi
owner() { if [ "$real_system" = 1 ]; then chown "$@"; fi; }

# 3. Files.
say "installing $("$binary" --version) into $opt_dir"
install -d -m 0755 "$opt_dir" "$(dirname "$bin_link")" "$unit_dir"
install -m 0755 "$binary" "$exe.new" && mv -f "$exe.new" "$exe"
ln -sfn "$exe" "$bin_link"
install -d -m 0750 "$etc_dir" "$data_dir"
owner "root:$user" "$etc_dir"
owner "$user:$user" "$data_dir"

if [ -f "$etc_dir/edge.yaml" ]; then
    say "keeping the existing $etc_dir/edge.yaml"
else
    if [ -n "$config" ]; then
        install -m 0640 "$config" "$etc_dir/edge.yaml"
    else
        "$exe" init --config "$etc_dir/edge.yaml" >/dev/null
        chmod 0640 "$etc_dir/edge.yaml"
    fi
    # Under --root the data folder lives inside the root too.
    if [ -n "$root" ]; then
        sed -i "s#^\(\s*data_dir:\s*\)/var/lib/telemetry-edge#\1$data_dir#" "$etc_dir/edge.yaml"
    fi
    owner "root:$user" "$etc_dir/edge.yaml"
    say "wrote $etc_dir/edge.yaml"
fi
if [ ! -f "$etc_dir/edge.env" ]; then
    printf '# Secrets for telemetry-edge, read by the service (e.g. TELEMETRY_TOKEN=...). Keep this file 0600.\n' > "$etc_dir/edge.env"
fi
chmod 0600 "$etc_dir/edge.env"

cat > "$unit" <<EOF
[Unit]
Description=Telemetry edge agent (shop-floor data to the datacenter)
Documentation=https://github.com/telemetry/telemetry#readme
Wants=network-online.target
After=network-online.target
StartLimitIntervalSec=10min
StartLimitBurst=20

[Service]
Type=notify
NotifyAccess=main
ExecStart=$exe run --config $etc_dir/edge.yaml
ExecReload=/bin/kill -HUP \$MAINPID
EnvironmentFile=-$etc_dir/edge.env
User=$user
Group=$user
Restart=on-failure
RestartSec=5s
TimeoutStopSec=30s
KillSignal=SIGTERM
UMask=0027
LimitNOFILE=65536
# The agent only needs its data folder, the network and its configuration (read-only).
ReadWritePaths=$data_dir
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
LockPersonality=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
# No MemoryDenyWriteExecute: the .NET runtime compiles code at run time.

[Install]
WantedBy=multi-user.target
EOF
chmod 0644 "$unit"
say "wrote $unit"

# 4. Check the configuration with the installed binary; start the service only when it is sound.
if ! check_output="$("$exe" check --offline --config "$etc_dir/edge.yaml" 2>&1)"; then
    echo "$check_output" >&2
    start=0
    say "the configuration needs attention (above). Edit $etc_dir/edge.yaml, then: telemetry-edge check --config $etc_dir/edge.yaml"
fi

if have_systemd; then
    systemctl daemon-reload
    systemctl enable telemetry-edge.service >/dev/null
    if [ "$start" = 1 ]; then
        systemctl restart telemetry-edge.service
        say "telemetry-edge is running: systemctl status telemetry-edge; journalctl -u telemetry-edge -f"
    else
        say "enabled, not started. When ready: systemctl start telemetry-edge"
    fi
else
    say "installed under ${root:-/}. No systemd here: start it with: $exe run --config $etc_dir/edge.yaml"
fi
