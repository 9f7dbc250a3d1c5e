# shellcheck shell=bash
# shellcheck disable=SC2034 # $service_pid and $wait_failure are for the sourcing script
# Shared by the scripts that start local services (scripts/dev.sh, scripts/test-e2e.sh,
# scripts/test-local-api.sh, scripts/test-sam-local.sh, scripts/test-deployed-site.sh). Sourced.
#
# Each service runs in a process group of its own (setsid), so stopping it stops what it started
# too: `cargo lambda watch` runs the functions as its children, `npx vite` runs node.

service_pids=()

# start_service LOG COMMAND [ARG...]: starts COMMAND in a new process group, its output going to
# the file LOG ("-" leaves it on the terminal), and leaves its PID in $service_pid.
start_service() {
    local log=$1
    shift
    if [[ "$log" == - ]]; then
        setsid "$@" &
    else
        setsid "$@" >"$log" 2>&1 &
    fi
    service_pid=$!
    service_pids+=("$service_pid")
}

# stop_services: stops every service start_service started, and waits for each to exit.
stop_services() {
    local pid
    for pid in "${service_pids[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    for pid in "${service_pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}

# open_work_dir: a scratch directory, $work, for the services' logs; when the script exits, every
# service stops and the directory goes.
open_work_dir() {
    work=$(mktemp -d)
    trap 'stop_services; rm -rf "$work"' EXIT
    trap 'exit 130' INT TERM
}

# fail_setup MESSAGE: ends the script with MESSAGE and the last lines of each log in $work.
fail_setup() {
    echo "error: $*" >&2
    local log
    for log in "$work"/*.log; do
        [[ -s "$log" ]] && { echo "--- $log (last 40 lines)" >&2; tail -n 40 "$log" >&2; }
    done
    exit 1
}

still_running() { kill -0 "$1" 2>/dev/null; }

# wait_until SECONDS NAME PID COMMAND [ARG...]: runs COMMAND until it succeeds. Returns 1, with
# the reason in $wait_failure, once PID has exited (so a server left over from an earlier run can
# never pass for the one just started) or SECONDS have passed.
wait_until() {
    local seconds=$1 name=$2 pid=$3 deadline=$((SECONDS + $1))
    shift 3
    until "$@"; do
        if ! still_running "$pid"; then
            wait_failure="$name exited before it was ready"
            return 1
        fi
        if ((SECONDS >= deadline)); then
            wait_failure="$name was not ready within $seconds s"
            return 1
        fi
        sleep 0.2
    done
}

# listens URL: URL gives an HTTP response, whatever its status.
listens() { curl -s -o /dev/null --max-time 5 "$1"; }

# answers URL: URL answers HTTP with a status below 500 (a 404 or a 401 is an answer).
answers() {
    local status
    status=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$1") &&
        ((status > 0 && status < 500))
}

# port_in_use PORT: something on 127.0.0.1 accepts connections on PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
