#!/usr/bin/env bash
# Tests the API the way a developer runs it: the local Descope stand-in, both functions under
# `cargo lambda watch` with the workspace's router (Cargo.toml), and real HTTP requests with curl
# to GET /get_roles and GET /get_role_data. Stops everything it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/api-checks.sh
source scripts/lib/api-checks.sh

# The first request to each function waits for `cargo lambda watch` to compile it.
COMPILE_SECONDS=${COMPILE_SECONDS:-900}

scripts/setup-python-tools.sh >/dev/null
export PATH="$PWD/.venv/bin:$PATH"

open_work_dir

# ----------------------------------------------------------------- start the services --------

echo "Building the Descope stand-in and both functions"
cargo build --quiet -p descope-stand-in -p get-roles -p get-role-data

start_stand_in --port 0
echo "Descope stand-in: $stand_in_url"

api_port=$(free_port)
api_url=http://127.0.0.1:$api_port
# The functions read these from the environment cargo lambda watch passes on.
start_service "$work/watch.log" env DESCOPE_PROJECT_ID="$STAND_IN_PROJECT_ID" \
    DESCOPE_BASE_URI="$stand_in_url" \
    cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$api_port"

# Ready once the router answers; a path no function serves answers without compiling anything.
wait_until 120 "cargo lambda watch" "$service_pid" listens "$api_url/_ready" ||
    fail_setup "$wait_failure"
echo "cargo lambda watch: $api_url"

# ----------------------------------------------------------------------- helpers --------------

# request URL [curl args...]: leaves the status in $status, the body in $work/body and the
# headers in $work/headers.
request() {
    local url=$1
    shift
    : >"$work/body"
    : >"$work/headers"
    status=$(curl -s --max-time "$COMPILE_SECONDS" \
        -o "$work/body" -D "$work/headers" -w '%{http_code}' "$@" "$url") || status=000
}

# ------------------------------------------------------------------------- tests --------------

sign_in_demo_users
check_every_demo_user
check_refused_tokens

for path in get_roles get_role_data; do
    name="POST /$path (a GET-only route) -> 4xx, not 5xx"
    request "$api_url/$path" -X POST -H "Authorization: Bearer ${token_of[teacher]}"
    if [[ "$status" == 4[0-9][0-9] ]]; then
        pass "$name"
    else
        fail "$name" "status $status"
    fi
done

echo
echo "$passed passed, $failed failed"
((failed == 0))
