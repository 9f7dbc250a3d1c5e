#!/usr/bin/env bash
# End-to-end browser tests: brings the whole app up with the README's run command
# (scripts/dev.sh: Descope stand-in, cargo lambda watch, Vite) and drives it with Playwright
# in Debian's Chromium. Screenshots land in frontend/test-results/; with
# E2E_UPDATE_DOCS_SCREENSHOTS=1 the README's screenshots are refreshed as well.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x /usr/bin/chromium ] || { echo "error: /usr/bin/chromium is missing; run scripts/setup.sh" >&2; exit 1; }

# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh

log_file=$(mktemp -t descope-dev.XXXXXX.log)
stop_app() {
    local status=$?
    if [ "$status" -ne 0 ] && [ -s "$log_file" ]; then
        echo "--- the last lines scripts/dev.sh printed (stand-in, functions, dev server):" >&2
        tail -n 60 "$log_file" >&2
    fi
    stop_services
    rm -f "$log_file"
}
trap stop_app EXIT

# DESCOPE_PROJECT_ID would point the run at a real project; the browser tests need the stand-in.
# The tests reach the stand-in's fault switch on its default port. The first test needs functions
# that have never fetched keys: the key endpoint fails from the start, until that test turns it on.
start_service "$log_file" env -u DESCOPE_PROJECT_ID -u DESCOPE_BASE_URI -u STAND_IN_PORT \
    STAND_IN_KEYS_UNAVAILABLE=1 scripts/dev.sh
# dev.sh prints this line once the stand-in, both functions and the dev server all answer.
app_is_running() { grep -q 'The app is running at' "$log_file"; }
wait_until 900 "scripts/dev.sh" "$service_pid" app_is_running || {
    echo "error: the app did not come up: $wait_failure" >&2
    exit 1
}
grep 'The app is running at' "$log_file"

cd frontend
CI=${CI:-} npx playwright test "$@"
