#!/usr/bin/env bash
# Tests the API the way AWS runs it, locally: `sam local start-api` on the real template.yaml,
# samconfig.toml and env.json, each arm64 `bootstrap` from `sam build` in its own container
# (emulated on x86_64), the Descope stand-in on the Docker bridge, the API checks
# (local/api-check) against both routes, and curl for what only a container shows: a cold start
# per request, 503 while the stand-in's key endpoint fails, and recovery.
#
# Installs what is missing (Docker, arm64 emulation; Debian or Ubuntu, as root or with sudo),
# starts the Docker daemon if none answers, builds the local base image once (see
# scripts/sam-local-base-image.sh), and runs `sam build` itself only when .aws-sam/build is
# missing or older than the sources. Stops what it started; removes the containers SAM leaves.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/sam-local-base-image.sh
source scripts/sam-local-base-image.sh
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/stand-in.sh
source scripts/lib/stand-in.sh

UNAVAILABLE_BODY='{"error": "authentication service unavailable"}'
SECRET_MESSAGE='You are now a trained Descope user!'
# Every invocation creates a container and runs an emulated binary; the first one also builds
# SAM's image with its Runtime Interface Emulator on top of the base image.
REQUEST_SECONDS=${REQUEST_SECONDS:-180}

scripts/setup-python-tools.sh >/dev/null
# cargo-lambda, run by `sam build`, finds zig through the first python3 on PATH.
export PATH="$PWD/.venv/bin:$PATH"
export SAM_CLI_TELEMETRY=0

started=$SECONDS
work=$(mktemp -d)
dockerd_pid=
stop_all() {
    stop_services
    remove_lambda_containers
    if [[ -n "$dockerd_pid" ]]; then
        kill -TERM "$dockerd_pid" 2>/dev/null || true
        wait "$dockerd_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

show_logs() {
    local log
    for log in "$work"/*.log; do
        [[ -s "$log" ]] && { echo "--- $log (last 60 lines)" >&2; tail -n 60 "$log" >&2; }
    done
}

fail_setup() {
    echo "error: $*" >&2
    show_logs
    exit 1
}

# SAM stops a container after its invocation but can leave it behind when it is killed mid-way;
# the ancestor filter keeps other projects' containers out of it.
remove_lambda_containers() {
    command -v docker >/dev/null || return 0
    local ids
    mapfile -t ids < <(docker ps -aq --filter label=sam.cli.container.type=lambda \
        --filter "ancestor=$SAM_LOCAL_IMAGE" 2>/dev/null || true)
    if ((${#ids[@]} > 0)); then
        docker rm -f "${ids[@]}" >/dev/null 2>&1 || true
    fi
}

# ------------------------------------------------------------------ Docker and emulation -----

docker_answers() { docker info >/dev/null 2>&1; }

echo "Docker, arm64 emulation and the local base image"
if ! docker_answers; then
    if ! command -v docker >/dev/null || ! command -v dockerd >/dev/null; then
        sam_local_apt_install docker.io
    fi
    # No service manager on CI machines: start the daemon for this run only. Without the userland
    # proxy a published port refuses connections until the container listens, so SAM's wait for
    # its emulator's port holds until the emulated emulator is up; the proxy accepts at once and
    # SAM's three quick retries can run out under emulation ("No response from invoke container").
    sam_local_log "starting dockerd (log: $work/dockerd.log)"
    if [[ "$(id -u)" -eq 0 ]]; then
        setsid dockerd --userland-proxy=false >"$work/dockerd.log" 2>&1 &
    else
        # The log is this script's own file, so the redirect needs no root.
        # shellcheck disable=SC2024
        sudo -n setsid dockerd --userland-proxy=false >"$work/dockerd.log" 2>&1 &
    fi
    dockerd_pid=$!
    wait_until 60 dockerd "$dockerd_pid" docker_answers || fail_setup "$wait_failure"
fi
sam_local_ensure_arm64_emulation || fail_setup "arm64 emulation is not available"
sam_local_ensure_base_image || fail_setup "no local base image"
sam_local_check_arm64_runs || fail_setup "arm64 containers do not run"
sam_local_log "base image: $SAM_LOCAL_IMAGE ($((SECONDS - started)) s so far)"

# --------------------------------------------------------------------------- sam build -------

# Rebuilt only if a source that goes into the functions is newer than the last build.
build_marker=.aws-sam/build/template.yaml
if [[ ! -f "$build_marker" ]] ||
    [[ ! -x .aws-sam/build/GetRolesFunction/bootstrap ]] ||
    [[ ! -x .aws-sam/build/GetRoleDataFunction/bootstrap ]] ||
    [[ -n "$(find template.yaml Cargo.toml Cargo.lock functions -newer "$build_marker" \
        -not -path '*/fuzz/*' -not -path '*/target/*' -print -quit)" ]]; then
    echo "sam build (.aws-sam/build is missing or older than the sources)"
    build_started=$SECONDS
    sam build >"$work/sam-build.log" 2>&1 || fail_setup "sam build failed"
    echo "sam build took $((SECONDS - build_started)) s"
else
    echo "sam build: .aws-sam/build is up to date"
fi
# SAM mounts each function's build folder into its containers; a copy keeps a `sam build` run
# elsewhere meanwhile (it empties .aws-sam/build first) from pulling the binaries away mid-test.
cp -a .aws-sam/build "$work/sam-build"
for function in GetRolesFunction GetRoleDataFunction; do
    [[ -x "$work/sam-build/$function/bootstrap" ]] ||
        fail_setup ".aws-sam/build/$function/bootstrap is missing (is another sam build running?)"
done

# ------------------------------------------------------------------- the Descope stand-in ----

# The functions reach the stand-in as env.json says; on Docker Engine host.docker.internal is the
# bridge's gateway (samconfig.toml maps it to host-gateway), so the stand-in listens there.
base_uri=$(python3 -c 'import json; print(json.load(open("env.json"))["Parameters"]["DESCOPE_BASE_URI"])')
[[ "$base_uri" =~ ^http://host\.docker\.internal:([0-9]+)$ ]] ||
    fail_setup "env.json's DESCOPE_BASE_URI is '$base_uri', not http://host.docker.internal:PORT"
stand_in_port=${BASH_REMATCH[1]}
command -v ip >/dev/null || sam_local_apt_install iproute2
bridge_ip=${SAM_LOCAL_HOST_GATEWAY:-$(ip -4 -o addr show docker0 2>/dev/null | awk '{split($4, a, "/"); print a[1]; exit}')}
[[ -n "$bridge_ip" ]] || fail_setup "no IPv4 address on docker0 (set SAM_LOCAL_HOST_GATEWAY)"

cargo build --quiet -p descope-stand-in -p api-check
start_stand_in --host "$bridge_ip" --port "$stand_in_port"
echo "Descope stand-in: $stand_in_url (host.docker.internal:$stand_in_port in the containers; $((SECONDS - started)) s so far)"

# ---------------------------------------------------------------- sam local start-api --------

api_port=$(free_port)
api_url=http://127.0.0.1:$api_port
start_service "$work/sam-local.log" sam local start-api --port "$api_port" \
    --template "$work/sam-build/template.yaml" --config-file "$PWD/samconfig.toml" \
    --invoke-image "$SAM_LOCAL_IMAGE" --skip-pull-image
# SAM answers a path no function serves itself, without starting a container.
wait_until 120 "sam local start-api" "$service_pid" listens "$api_url/_ready" ||
    fail_setup "$wait_failure"
echo "sam local start-api: $api_url ($((SECONDS - started)) s so far)"

# ----------------------------------------------------------------------- helpers --------------

# This script's own checks, tallied apart from the API checks'.
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1: $2"; }

header() { # header NAME: the last response's header value, without the trailing CR
    { grep -i "^$1:" "$work/headers" || true; } | head -n 1 | cut -d: -f2- | sed 's/^ *//; s/\r$//'
}

json_equals() { # json_equals FILE EXPECTED_JSON: compares parsed values, not text
    python3 -c 'import json, sys
sys.exit(0 if json.load(open(sys.argv[1], encoding="utf-8")) == json.loads(sys.argv[2]) else 1)' "$1" "$2"
}

check_json_response() { # check_json_response NAME WANT_STATUS WANT_JSON: checks the last response
    local name=$1 want_status=$2 want_json=$3 problems=()
    [[ "$status" == "$want_status" ]] || problems+=("status $status, want $want_status")
    json_equals "$work/body" "$want_json" 2>/dev/null ||
        problems+=("body $(head -c 300 "$work/body"), want $want_json")
    [[ "$(header content-type)" == application/json* ]] ||
        problems+=("Content-Type '$(header content-type)'")
    [[ "$(header cache-control)" == no-store ]] ||
        problems+=("Cache-Control '$(header cache-control)', want no-store")
    if ((${#problems[@]} == 0)); then
        pass "$name"
    else
        fail "$name" "$(IFS=';'; echo "${problems[*]}")"
    fi
}

# request URL [curl args...]: a GET; leaves the status in $status, the body in $work/body, the
# headers in $work/headers and the number of Lambda containers it created in $containers_created.
request() {
    local url=$1 since until
    shift
    : >"$work/body"
    : >"$work/headers"
    since=$(date +%s.%N)
    status=$(curl -s --max-time "$REQUEST_SECONDS" \
        -o "$work/body" -D "$work/headers" -w '%{http_code}' "$@" "$url") || status=000
    until=$(date +%s.%N)
    containers_created=$(docker events --since "$since" --until "$until" \
        --filter type=container --filter event=create \
        --filter label=sam.cli.container.type=lambda --format '{{.ID}}' | wc -l)
}

check_cold_start() { # check_cold_start NAME: the last request ran in a container of its own
    if [[ "$containers_created" == 1 ]]; then
        pass "$1: served by a new container (cold start)"
    else
        fail "$1: served by a new container (cold start)" "$containers_created containers created"
    fi
}

set_key_fault() { # set_key_fault true|false
    curl -s --fail --max-time 10 -o /dev/null -X POST -H 'Content-Type: application/json' \
        --data "{\"keys_unavailable\": $1}" "$stand_in_url/_stand-in/faults" ||
        fail_setup "the stand-in's fault switch did not answer"
}

# ------------------------------------------------------------------------- tests --------------

first_request=$SECONDS
# Both routes for every demo user, every kind of refused token, the headers and a POST; the
# output goes to the terminal and, for the tally below, to a file.
if target/debug/api-check --api-url "$api_url" --stand-in-url "$stand_in_url" \
    --timeout "$REQUEST_SECONDS" | tee "$work/api-check.out"; then
    api_check_status=0
else
    api_check_status=${PIPESTATUS[0]}
fi
((api_check_status <= 1)) || fail_setup "the API checks could not run (exit status $api_check_status)"
[[ "$(tail -n 1 "$work/api-check.out")" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]] ||
    fail_setup "the API checks printed no tally"
api_passed=${BASH_REMATCH[1]}
api_failed=${BASH_REMATCH[2]}

echo
teacher_token=$(sign_in teacher@example.com)
both_token=$(sign_in both@example.com)

# Each container fetches the keys on its first request, so a cold start while the key endpoint
# fails has no keys at all: the function must answer 503, not 401 and not a 5xx of Lambda's.
set_key_fault true
for path in get_roles get_role_data; do
    request "$api_url/$path" -H "Authorization: Bearer $teacher_token"
    check_json_response "GET /$path while Descope's keys are unavailable -> 503" 503 "$UNAVAILABLE_BODY"
    check_cold_start "GET /$path while Descope's keys are unavailable"
done
set_key_fault false

request "$api_url/get_roles" -H "Authorization: Bearer $both_token"
check_json_response "GET /get_roles once the keys are back -> 200" 200 \
    "{\"secretMessage\": \"$SECRET_MESSAGE\", \"roles\": [\"teacher\", \"student\"]}"
check_cold_start "GET /get_roles once the keys are back"
requests_took=$((SECONDS - first_request))

# ------------------------------------------------------------------------ figures -------------

echo
# Emulated arm64 under SAM's emulator: durations are not Lambda's, and "Max Memory Used" is the
# configured memory size, not a measurement.
echo "Lambda REPORT lines (emulated arm64 under sam local):"
grep -ao 'REPORT RequestId.*' "$work/sam-local.log" | sed 's/^/    /' || echo "    (none found)"
echo "requests took ${requests_took} s; the whole step $((SECONDS - started)) s"

echo
echo "API checks: $api_passed passed, $api_failed failed; this script's: $passed passed, $failed failed"
passed=$((passed + api_passed))
failed=$((failed + api_failed))
echo "$passed passed, $failed failed"
if ((failed > 0)); then
    show_logs
    exit 1
fi
