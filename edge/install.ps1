<#
.SYNOPSIS
    Installs (or removes) the Telemetry edge agent as a Windows service.

.DESCRIPTION
    Same layout and behaviour as edge/install.sh on Linux:
      C:\Program Files\Telemetry Edge\telemetry-edge.exe      the binary
      C:\ProgramData\Telemetry Edge\edge.yaml                  the configuration (kept on reinstall and uninstall)
      C:\ProgramData\Telemetry Edge\data                       spool, quarantine, PKI (kept on uninstall)
    The service "telemetry-edge" runs as its own virtual account (NT SERVICE\telemetry-edge), starts
    automatically, and restarts on failure. Saving edge.yaml reloads it; a broken file is refused and the
    running configuration stays. Secrets: datacenter.token: { file: C:\ProgramData\Telemetry Edge\token.txt }.

.EXAMPLE
    .\install.ps1                         # installs telemetry-edge.exe from this folder
.EXAMPLE
    .\install.ps1 -Config .\my-plant.yaml # ... with a prepared configuration
.EXAMPLE
    .\install.ps1 -Uninstall              # removes service and binary, keeps configuration and data
.EXAMPLE
    .\install.ps1 -Uninstall -Purge       # ... and deletes configuration and buffered data too
#>
[CmdletBinding()]
param(
    [string]$Binary,
    [string]$Config,
    [string]$InstallDir = (Join-Path $env:ProgramFiles 'Telemetry Edge'),
    [string]$DataRoot = (Join-Path $env:ProgramData 'Telemetry Edge'),
    [switch]$NoStart,
    [switch]$Uninstall,
    [switch]$Purge
)
$ErrorActionPreference = 'Stop'
$ServiceName = 'telemetry-edge'
$Account = "NT SERVICE\$ServiceName"
$Exe = Join-Path $InstallDir 'telemetry-edge.exe'
$ConfigPath = Join-Path $DataRoot 'edge.yaml'
$DataDir = Join-Path $DataRoot 'data'

function Say([string]$Text) { Write-Host "==> $Text" }

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'Run this script from an elevated PowerShell (Run as administrator).'
}
if ($Purge -and -not $Uninstall) { throw '-Purge only goes with -Uninstall.' }

$existing = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue

if ($Uninstall) {
    if ($existing) {
        if ($existing.Status -ne 'Stopped') { Stop-Service -Name $ServiceName -Force }
        & sc.exe delete $ServiceName | Out-Null
    }
    if (Test-Path $InstallDir) { Remove-Item -Recurse -Force $InstallDir }
    if ($Purge) {
        if (Test-Path $DataRoot) { Remove-Item -Recurse -Force $DataRoot }
        Say 'removed the agent, its configuration and its buffered data'
    } else {
        Say "removed the agent; kept $DataRoot (configuration and buffered data). -Uninstall -Purge deletes it."
    }
    return
}

# 1. The binary: given, or shipped next to this script.
if (-not $Binary) { $Binary = Join-Path $PSScriptRoot 'telemetry-edge.exe' }
if (-not (Test-Path $Binary)) { throw "No telemetry-edge.exe at '$Binary'; pass -Binary <file>." }
$version = & $Binary --version
if ($LASTEXITCODE -ne 0) { throw "'$Binary' does not run on this machine (is it the win-x64 build?)." }

# 2. Files. The service is stopped first so the binary can be replaced.
if ($existing -and $existing.Status -ne 'Stopped') { Stop-Service -Name $ServiceName -Force }
Say "installing $version into $InstallDir"
New-Item -ItemType Directory -Force -Path $InstallDir, $DataRoot, $DataDir | Out-Null
Copy-Item -Force $Binary $Exe

if (Test-Path $ConfigPath) {
    Say "keeping the existing $ConfigPath"
} else {
    if ($Config) {
        Copy-Item $Config $ConfigPath
    } else {
        & $Exe init --config $ConfigPath | Out-Null
    }
    # The example points at the Linux data folder; on Windows it lives under ProgramData.
    $yaml = Get-Content -Raw $ConfigPath
    $yaml = $yaml -replace '(?m)^(\s*data_dir:\s*)/var/lib/telemetry-edge', ('${1}' + ($DataDir -replace '\\', '/'))
    Set-Content -NoNewline -Encoding utf8 -Path $ConfigPath -Value $yaml
    Say "wrote $ConfigPath"
}

# 3. The service: automatic start, own virtual account, restart on failure.
$binaryPath = "`"$Exe`" run --config `"$ConfigPath`""
if ($existing) {
    & sc.exe config $ServiceName binPath= $binaryPath start= auto obj= $Account | Out-Null
} else {
    New-Service -Name $ServiceName -BinaryPathName $binaryPath -DisplayName 'Telemetry edge agent' `
        -Description 'Collects shop-floor data (OPC UA, MQTT) and forwards it to the datacenter.' -StartupType Automatic | Out-Null
    & sc.exe config $ServiceName obj= $Account | Out-Null
}
& sc.exe failure $ServiceName reset= 86400 actions= restart/5000/restart/5000/restart/30000 | Out-Null
& sc.exe failureflag $ServiceName 1 | Out-Null

# The service account may change its data folder and read its configuration; nothing else.
& icacls.exe $DataDir /grant "${Account}:(OI)(CI)M" /T /Q | Out-Null
& icacls.exe $ConfigPath /grant "${Account}:R" /Q | Out-Null

# 4. Check the configuration; start only when it is sound.
& $Exe check --offline --config $ConfigPath
if ($LASTEXITCODE -ne 0) {
    $NoStart = $true
    Say "the configuration needs attention (above). Edit $ConfigPath, then: telemetry-edge check --config `"$ConfigPath`""
}
if ($NoStart) {
    Say 'installed, not started. When ready: Start-Service telemetry-edge'
} else {
    Start-Service -Name $ServiceName
    Say "telemetry-edge is running: Get-Service telemetry-edge; & `"$Exe`" status --config `"$ConfigPath`""
}
