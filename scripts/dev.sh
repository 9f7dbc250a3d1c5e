#!/usr/bin/env bash
# Runs the whole app locally: the Descope stand-in (unless DESCOPE_PROJECT_ID names a real
# project), both Lambda functions through `cargo lambda watch`, and the frontend's dev server.
# Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."

STAND_IN_PORT=${STAND_IN_PORT:-8787}
API_PORT=9000
WEB_URL=http://127.0.0.1:5173

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/stand-in.sh
source scripts/lib/stand-in.sh
trap stop_services EXIT
trap 'exit 130' INT TERM

die() { echo "error: $*" >&2; exit 1; }

# wait_for URL SECONDS NAME: waits until the service just started answers at URL.
wait_for() {
    wait_until "$2" "$3" "$service_pid" answers "$1" || die "$wait_failure at $1"
}

# Refuses a port something already listens on: the service started here could not bind it,
# and the old one would answer in its place.
require_free_port() {
    ! port_in_use "$1" ||
        die "port $1 ($2) is already in use on 127.0.0.1; stop what runs there (an earlier scripts/dev.sh?) and try again"
}

scripts/setup-python-tools.sh >/dev/null
export PATH="$PWD/.venv/bin:$PATH"
if [ ! -d frontend/node_modules ]; then
    log "Installing the frontend's npm packages"
    (cd frontend && npm ci --no-audit --no-fund)
fi

[ -n "${DESCOPE_PROJECT_ID:-}" ] || require_free_port "$STAND_IN_PORT" "Descope stand-in"
require_free_port "$API_PORT" "cargo lambda watch"
require_free_port "${WEB_URL##*:}" "frontend dev server"

if [ -n "${DESCOPE_PROJECT_ID:-}" ]; then
    log "Using the real Descope project $DESCOPE_PROJECT_ID"
    project_id=$DESCOPE_PROJECT_ID
    export VITE_DESCOPE_PROJECT_ID=$project_id
    export VITE_DESCOPE_BASE_URL=${DESCOPE_BASE_URI:-}
    export VITE_DESCOPE_LOCAL_LOGIN=false
else
    project_id=$STAND_IN_PROJECT_ID
    base_uri=http://127.0.0.1:$STAND_IN_PORT
    log "Building and starting the local Descope stand-in on $base_uri"
    cargo build --quiet -p descope-stand-in
    start_service - target/debug/descope-stand-in --port "$STAND_IN_PORT" --project-id "$project_id"
    wait_for "$base_uri/v2/keys/$project_id" 30 "the Descope stand-in"
    # STAND_IN_KEYS_UNAVAILABLE=1 (scripts/test-e2e.sh): the key endpoint fails from the start. The
    # functions fetch keys as they start, so the fault must be on before they do.
    if [ "${STAND_IN_KEYS_UNAVAILABLE:-}" = 1 ]; then
        curl -sf -X POST -H 'Content-Type: application/json' -d '{"keys_unavailable": true}' \
            "$base_uri/_stand-in/faults" >/dev/null
    fi
    export DESCOPE_PROJECT_ID=$project_id DESCOPE_BASE_URI=$base_uri
    export VITE_DESCOPE_PROJECT_ID=$project_id
    export VITE_DESCOPE_BASE_URL=$base_uri
    export VITE_DESCOPE_LOCAL_LOGIN=true
fi

log "Starting both functions with cargo lambda watch on 127.0.0.1:$API_PORT"
start_service - cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$API_PORT"
# cargo lambda watch compiles and starts each function on its first request; ask both now
# (without a token) rather than keep the first visitor waiting. Each fetches keys as it starts.
for path in /get_roles /get_role_data; do
    wait_for "http://127.0.0.1:$API_PORT$path" 600 "cargo lambda watch ($path)"
done

log "Starting the frontend dev server"
start_service - env -C frontend npx vite --host 127.0.0.1 --port 5173 --strictPort
wait_for "$WEB_URL" 60 "the frontend dev server"

cat <<MSG

  The app is running at $WEB_URL (ready in $SECONDS s)
MSG
if [ "$project_id" = "$STAND_IN_PROJECT_ID" ]; then
    echo "  Sign in as any demo user with the password \"$DEMO_PASSWORD\":"
    for user in "${DEMO_USERS[@]}"; do
        printf '    %-21s (%s)\n' "$user@example.com" "${DEMO_USER_ROLES[$user]}"
    done
fi
printf '\n  Press Ctrl-C to stop.\n'
wait -n "${service_pids[@]}"
