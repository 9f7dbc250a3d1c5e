#!/usr/bin/env bash
# Runs every check and every test: formatting, lints, Rust unit and integration tests, a short
# fuzzing run of the auth crate, the frontend's checks and tests, the SAM template checks and
# build, the API under `sam local start-api`, the local API through `cargo lambda watch`, the
# end-to-end browser tests, and the rehearsal of the deployed site.
# Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
started=$SECONDS

scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

log "Rust: format, lints, tests"
cargo fmt --all --check
cargo fmt --check --manifest-path functions/descope-auth/fuzz/Cargo.toml
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
cargo test --workspace --all-features --locked

log "Fuzzing the auth crate's untrusted inputs (a short run; scripts/fuzz.sh runs longer)"
scripts/fuzz.sh --seconds 20

log "Descope stand-in against the real Descope web SDK (Node and Chromium)"
(cd local/descope-stand-in/sdk-check && npm ci --no-audit --no-fund && npm test)

log "Frontend: lint, types, unit tests, build"
scripts/check-frontend.sh

log "Infrastructure: SAM template lint and arm64 build"
scripts/check-infra.sh

log "The API under sam local start-api: arm64 containers on a local base image"
scripts/test-sam-local.sh

log "Local API through cargo lambda watch"
scripts/test-local-api.sh

log "End-to-end browser tests"
scripts/test-e2e.sh

log "The deployed site, rehearsed: publisher, bucket, the distribution's rules, Chromium under the CSP"
scripts/test-deployed-site.sh

log "All checks passed in $((SECONDS - started)) s"
