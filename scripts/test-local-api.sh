#!/usr/bin/env bash
# Tests the API the way a developer runs it: the local Descope stand-in, both functions under
# `cargo lambda watch` with the workspace's router (Cargo.toml), and the API checks
# (local/api-check) over HTTP against GET /get_roles and GET /get_role_data, with real tokens
# from the stand-in. Prints "N passed, M failed". Stops everything it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/stand-in.sh
source scripts/lib/stand-in.sh

# The first request to each function waits for `cargo lambda watch` to compile it.
COMPILE_SECONDS=${COMPILE_SECONDS:-900}

scripts/setup-python-tools.sh >/dev/null
export PATH="$PWD/.venv/bin:$PATH"

open_work_dir

# ----------------------------------------------------------------- start the services --------

echo "Building the Descope stand-in, both functions and the API checks"
cargo build --quiet -p descope-stand-in -p get-roles -p get-role-data -p api-check

start_stand_in --port 0
echo "Descope stand-in: $stand_in_url"

start_local_api
echo "cargo lambda watch: $api_url"

# ------------------------------------------------------------------------- tests --------------

# The first request to each function waits for its build, hence the long per-request timeout.
target/debug/api-check --api-url "$api_url" --stand-in-url "$stand_in_url" \
    --timeout "$COMPILE_SECONDS" || fail_setup "the API checks did not pass (exit status $?)"
