# shellcheck shell=bash
# shellcheck disable=SC2034 # constants for the sourcing script
# The local Descope stand-in's facts (local/descope-stand-in), once for the shell scripts that run
# it (scripts/dev.sh, scripts/test-local-api.sh, scripts/test-sam-local.sh,
# scripts/test-deployed-site.sh), and how they start it, sign in and start the API that trusts
# it. Sourced, after scripts/lib/services.sh.

STAND_IN_PROJECT_ID=P2LocalStandInProject
DEMO_PASSWORD=demo-password
# The demo users sign in as <name>@example.com, each with the roles its name says.
DEMO_USERS=(teacher student both norole)
declare -A DEMO_USER_ROLES=([teacher]='role teacher' [student]='role student'
    [both]='roles teacher and student' [norole]='no role')

# start_stand_in [OPTION...]: starts the built Descope stand-in (target/debug/descope-stand-in)
# for $STAND_IN_PROJECT_ID with the given options, its log in $work/stand-in.log, and waits for
# the line it prints once it listens, which names its address; leaves that in $stand_in_url.
# Ends the script through fail_setup if it does not come up.
start_stand_in() {
    start_service "$work/stand-in.log" target/debug/descope-stand-in \
        --project-id "$STAND_IN_PROJECT_ID" "$@"
    stand_in_url=
    wait_until 60 "the Descope stand-in" "$service_pid" stand_in_listening || fail_setup "$wait_failure"
}

stand_in_listening() { # leaves the address in $stand_in_url once the stand-in has printed it
    local line
    line=$(grep -s -m 1 -E '^listening on http://[^[:space:]]+$' "$work/stand-in.log") &&
        stand_in_url=${line#listening on }
}

# sign_in LOGIN_ID: prints the session token the stand-in at $stand_in_url issues; ends the
# script through fail_setup if it issues none.
sign_in() {
    local response
    response=$(curl -s --fail-with-body --max-time 30 -X POST \
        -H 'Content-Type: application/json' \
        --data "{\"loginId\":\"$1\",\"password\":\"$DEMO_PASSWORD\"}" \
        "$stand_in_url/v1/auth/password/signin") || fail_setup "sign-in as $1 failed: $response"
    python3 -c 'import json, sys; print(json.loads(sys.argv[1])["sessionJwt"])' "$response" ||
        fail_setup "sign-in as $1 returned no sessionJwt"
}

# start_local_api: both functions under `cargo lambda watch` (the workspace's router, Cargo.toml)
# on a free loopback port, trusting the stand-in at $stand_in_url; its log in $work/watch.log.
# Waits until the router answers (a path no function serves answers without compiling anything);
# each function still compiles on its first request. Leaves the URL in $api_url and the PID in
# $api_pid; ends the script through fail_setup if the router does not come up.
start_local_api() {
    local port
    port=$(free_port)
    api_url=http://127.0.0.1:$port
    # The functions read these from the environment cargo lambda watch passes on.
    start_service "$work/watch.log" env DESCOPE_PROJECT_ID="$STAND_IN_PROJECT_ID" \
        DESCOPE_BASE_URI="$stand_in_url" \
        cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$port"
    api_pid=$service_pid
    wait_until 120 "cargo lambda watch" "$api_pid" listens "$api_url/_ready" ||
        fail_setup "$wait_failure"
}
