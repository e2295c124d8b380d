#!/usr/bin/env bash
# Install what the project needs, idempotently. Fast (no network) when all is present.
#   - apt packages: postgresql, libargon2-dev, pkg-config, wrk, openssl (the mail tests make a
#     certificate), chromium (headless, for the /docs
#     page test: Tests/AppTests/DocsPageTests.swift)
#     and caddy (the proxy of deploy/Caddyfile, for Tests/AppTests/InstancesTests.swift)
#   - Python venv in .venv with requirements-dev.txt (also the Swagger UI files /docs serves)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

APT_PACKAGES=(postgresql libargon2-dev pkg-config wrk chromium caddy openssl)
VENV="$ROOT/.venv"
REQUIREMENTS="$ROOT/requirements-dev.txt"
STAMP="$VENV/.installed"

die() { echo "setup.sh: error: $*" >&2; exit 1; }
say() { echo "setup.sh: $*"; }

installed() {
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

# Run a command as root (directly, or through sudo).
as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run '$*': run this script as root or install sudo"
    fi
}

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "missing packages: $*; no apt-get here, install them by hand"
    if [[ "$(id -u)" -ne 0 ]] && ! command -v sudo >/dev/null 2>&1; then
        die "missing packages: $*; installing them needs root: run this script as root, install sudo, or apt-get install them yourself"
    fi
    if [[ "$APT_UPDATED" -eq 0 ]]; then
        say "apt-get update"
        as_root apt-get update -q
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# --- system packages -------------------------------------------------------------
if command -v dpkg >/dev/null 2>&1; then
    missing=()
    for p in "${APT_PACKAGES[@]}"; do
        installed "$p" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        apt_install "${missing[@]}"
        # Debian's package starts a system-wide Caddy on port 80; the tests run their own.
        if [[ " ${missing[*]} " == *" caddy "* && -d /run/systemd/system ]]; then
            say "stopping and disabling the caddy.service that the package started (deploy/Caddyfile explains a real setup)"
            as_root systemctl disable --now caddy.service || true
        fi
    fi
else
    say "warning: not a Debian system; make sure these are installed: ${APT_PACKAGES[*]}"
fi

# --- Python venv -----------------------------------------------------------------
venv_ok() { [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c '' >/dev/null 2>&1; }

if ! venv_ok; then
    command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv
    if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
        apt_install python3-venv
        python3 -c 'import venv, ensurepip' >/dev/null 2>&1 \
            || die "python3 ($(command -v python3)) has no working venv/ensurepip module even after installing python3-venv"
    fi
    rm -rf "$VENV"
    say "creating $VENV"
    python3 -m venv "$VENV" || die "python3 -m venv $VENV failed"
fi

if [[ -f "$STAMP" && "$STAMP" -nt "$REQUIREMENTS" ]]; then
    : # up to date
else
    say "installing Python packages from requirements-dev.txt"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQUIREMENTS" \
        || die "pip install -r requirements-dev.txt failed"
    touch "$STAMP"
fi
