#!/usr/bin/env bash
# Runs the whole app locally: the Descope stand-in (unless DESCOPE_PROJECT_ID names a real
# project), both Lambda functions through `cargo lambda watch`, and the frontend's dev server.
# Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."

STAND_IN_PORT=${STAND_IN_PORT:-8787}
API_PORT=9000
WEB_URL=http://127.0.0.1:5173
LOCAL_PROJECT_ID=P2LocalStandInProject

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

pids=()
stop_all() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do
        # Each service runs in its own process group, so its children stop with it.
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Waits until URL answers with a status below 500, or fails after the given number of seconds.
# Checks first that every process started here still runs, so a server left over from an
# earlier run can never pass for the one just started.
wait_for() {
    local url=$1 seconds=$2 name=$3 deadline=$((SECONDS + $2)) status
    while true; do
        for pid in "${pids[@]}"; do
            kill -0 "$pid" 2>/dev/null || { echo "error: $name exited early" >&2; exit 1; }
        done
        if status=$(curl -s -o /dev/null -w '%{http_code}' "$url") && [ "$status" -gt 0 ] && [ "$status" -lt 500 ]; then
            return 0
        fi
        if [ $SECONDS -ge $deadline ]; then
            echo "error: $name did not come up at $url within ${seconds} s" >&2
            exit 1
        fi
        sleep 0.5
    done
}

# Refuses a port something already listens on: the service started here could not bind it,
# and the old one would answer in its place.
require_free_port() {
    local port=$1 name=$2
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "error: port $port ($name) is already in use on 127.0.0.1; stop what runs there (an earlier scripts/dev.sh?) and try again" >&2
        exit 1
    fi
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
    project_id=$LOCAL_PROJECT_ID
    base_uri=http://127.0.0.1:$STAND_IN_PORT
    log "Building and starting the local Descope stand-in on $base_uri"
    cargo build --quiet -p descope-stand-in
    setsid target/debug/descope-stand-in --port "$STAND_IN_PORT" --project-id "$project_id" &
    pids+=($!)
    wait_for "$base_uri/v2/keys/$project_id" 30 "the Descope stand-in"
    export DESCOPE_PROJECT_ID=$project_id DESCOPE_BASE_URI=$base_uri
    export VITE_DESCOPE_PROJECT_ID=$project_id
    export VITE_DESCOPE_BASE_URL=$base_uri
    export VITE_DESCOPE_LOCAL_LOGIN=true
fi

log "Starting both functions with cargo lambda watch on 127.0.0.1:$API_PORT"
setsid cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$API_PORT" &
pids+=($!)
# cargo lambda watch compiles and starts each function on its first request; ask both now
# (without a token, so no key is fetched) rather than keep the first visitor waiting.
for path in /get_roles /get_role_data; do
    wait_for "http://127.0.0.1:$API_PORT$path" 600 "cargo lambda watch ($path)"
done

log "Starting the frontend dev server"
(cd frontend && exec setsid npx vite --host 127.0.0.1 --port 5173 --strictPort) &
pids+=($!)
wait_for "$WEB_URL" 60 "the frontend dev server"

cat <<MSG

  The app is running at $WEB_URL (ready in $SECONDS s)
MSG
if [ "$project_id" = "$LOCAL_PROJECT_ID" ]; then
    cat <<'MSG'
  Sign in as any demo user with the password "demo-password":
    teacher@example.com   (role teacher)
    student@example.com   (role student)
    both@example.com      (roles teacher and student)
    norole@example.com    (no role)
MSG
fi
printf '\n  Press Ctrl-C to stop.\n'
wait -n "${pids[@]}"
