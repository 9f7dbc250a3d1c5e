#!/usr/bin/env bash
# Installs the machine-wide and Python tools the tests and the local run need, on a Debian machine
# that already has the Rust toolchain, Python 3 and Node.js 20 (npm packages are installed by the
# scripts that use them). Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v file >/dev/null || need_apt+=(file)
# sam build runs frontend/Makefile for the frontend layer.
command -v make >/dev/null || need_apt+=(make)
# Emoji in the UI (👋, 🧑‍🎓) render as empty boxes in screenshots without a colour emoji font.
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need_apt+=(fonts-noto-color-emoji)
# The functions' binary tests and scripts/figures.sh move the wall clock of a running function
# (a Lambda environment thawed after a freeze) with libfaketime.
compgen -G '/usr/lib/*/faketime/libfaketimeMT.so.1' >/dev/null || need_apt+=(faketime)
if [ ${#need_apt[@]} -gt 0 ]; then
    log "Installing Debian packages: ${need_apt[*]}"
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

for tool in cargo node npm python3; do
    command -v "$tool" >/dev/null || { echo "error: '$tool' is required but not on PATH" >&2; exit 1; }
done
# Vite 8's own range: ^20.19.0 || >=22.12.0.
if ! node -e '
    const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit((major === 20 && minor >= 19) || major > 22 || (major === 22 && minor >= 12) ? 0 : 1);'; then
    echo "error: Node.js 20.19 or newer (or 22.12 or newer) is required (found $(node --version))" >&2
    exit 1
fi

# The functions deploy on arm64 (Graviton); cargo-lambda cross-compiles with zig but needs the
# target's standard library.
if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
    log "Adding the aarch64-unknown-linux-gnu Rust target"
    rustup target add aarch64-unknown-linux-gnu
fi

log "Python tools (cargo-lambda, SAM CLI, cfn-lint; moto for the publisher tests) in .venv"
scripts/setup-python-tools.sh

