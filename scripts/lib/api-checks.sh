# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # constants for the sourcing script; $work, $status and
# $stand_in_url come from it.
# Shared by the shell tests that call the API over HTTP (scripts/test-local-api.sh,
# scripts/test-sam-local.sh): the ok/FAIL tally, the checks of one response, and the checks both
# make of the whole API. Sourced; the sourcing script sets $work (a scratch folder),
# $stand_in_url and $api_url, and defines request URL [CURL_ARG...] (leaves $status, the body in
# $work/body and the headers in $work/headers) and fail_setup MESSAGE (report, print logs, exit).

# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/stand-in.sh
source scripts/lib/stand-in.sh

UNAUTHORIZED_BODY='{"error": "❌ invalid session token!"}'
SECRET_MESSAGE='You are now a trained Descope user!'

# What each route answers each demo user.
declare -A ROLES_OF=([teacher]='["teacher"]' [student]='["student"]'
    [both]='["teacher", "student"]' [norole]='[]')
declare -A ROLE_DATA_OF=([teacher]='{"valid_teacher": true, "valid_student": false}'
    [student]='{"valid_teacher": false, "valid_student": true}'
    [both]='{"valid_teacher": true, "valid_student": true}'
    [norole]='{"valid_teacher": false, "valid_student": false}')

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

check_unauthorized() { # check_unauthorized NAME
    local name=$1 challenge
    check_json_response "$name" 401 "$UNAUTHORIZED_BODY"
    challenge=$(header www-authenticate)
    if [[ "$challenge" == 'Bearer error="invalid_token"' ]]; then
        pass "$name: WWW-Authenticate"
    else
        fail "$name: WWW-Authenticate" "got '$challenge'"
    fi
}

sign_in() { # sign_in LOGIN_ID: prints the session token the stand-in issues
    local response
    response=$(curl -s --fail-with-body --max-time 30 -X POST \
        -H 'Content-Type: application/json' \
        --data "{\"loginId\":\"$1\",\"password\":\"$DEMO_PASSWORD\"}" \
        "$stand_in_url/v1/auth/password/signin") || fail_setup "sign-in as $1 failed: $response"
    python3 -c 'import json, sys; print(json.loads(sys.argv[1])["sessionJwt"])' "$response" ||
        fail_setup "sign-in as $1 returned no sessionJwt"
}

# start_stand_in [OPTION...]: starts the built Descope stand-in (target/debug/descope-stand-in)
# for $STAND_IN_PROJECT_ID with the given options and waits for the line it prints once it
# listens, which names its address; leaves that in $stand_in_url.
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

# sign_in_demo_users: signs every demo user in; leaves their session tokens in $token_of.
declare -A token_of
sign_in_demo_users() {
    local user
    for user in "${DEMO_USERS[@]}"; do
        token_of[$user]=$(sign_in "$user@example.com")
    done
}

# A student's token with the teacher role written into its claims: the signature no longer
# matches, which is what a forged role looks like.
tamper() {
    python3 - "$1" <<'PY'
import base64, json, sys
header, payload, signature = sys.argv[1].split(".")
claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
claims["roles"] = ["teacher", "student"]
forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
print(f"{header}.{forged}.{signature}")
PY
}

check_every_demo_user() { # both routes answer each demo user by their roles
    local user
    for user in "${DEMO_USERS[@]}"; do
        request "$api_url/get_roles" -H "Authorization: Bearer ${token_of[$user]}"
        check_json_response "GET /get_roles as $user -> 200" 200 \
            "{\"secretMessage\": \"$SECRET_MESSAGE\", \"roles\": ${ROLES_OF[$user]}}"
        request "$api_url/get_role_data" -H "Authorization: Bearer ${token_of[$user]}"
        check_json_response "GET /get_role_data as $user -> 200" 200 "${ROLE_DATA_OF[$user]}"
    done
}

check_refused_tokens() { # both routes refuse a missing, a malformed and a forged token alike
    local path forged
    forged=$(tamper "${token_of[student]}")
    for path in get_roles get_role_data; do
        request "$api_url/$path"
        check_unauthorized "GET /$path without a token -> 401"
        request "$api_url/$path" -H 'Authorization: Bearer not.a.jwt'
        check_unauthorized "GET /$path with a malformed token -> 401"
        request "$api_url/$path" -H "Authorization: Bearer $forged"
        check_unauthorized "GET /$path with a tampered token (roles rewritten) -> 401"
    done
}
