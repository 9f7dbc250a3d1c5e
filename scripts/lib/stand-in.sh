# shellcheck shell=bash
# shellcheck disable=SC2034 # constants for the sourcing script
# The local Descope stand-in's facts (local/descope-stand-in), once for the shell scripts that run
# it (scripts/dev.sh, scripts/test-local-api.sh, scripts/test-sam-local.sh,
# scripts/test-deployed-site.sh), and how they start it and sign in. Sourced, after
# scripts/lib/services.sh.

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
