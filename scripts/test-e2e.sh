#!/usr/bin/env bash
# End-to-end browser tests: brings the whole app up with the README's run command
# (scripts/dev.sh: Descope stand-in, cargo lambda watch, Vite) and drives it with Playwright
# in Debian's Chromium. Screenshots land in frontend/test-results/; with
# E2E_UPDATE_DOCS_SCREENSHOTS=1 the README's screenshots are refreshed as well.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x /usr/bin/chromium ] || { echo "error: /usr/bin/chromium is missing; run scripts/setup.sh" >&2; exit 1; }

log_file=$(mktemp -t descope-dev.XXXXXX.log)
# DESCOPE_PROJECT_ID would point the run at a real project; the browser tests need the stand-in.
# The tests reach the stand-in's fault switch on its default port.
env -u DESCOPE_PROJECT_ID -u DESCOPE_BASE_URI -u STAND_IN_PORT setsid scripts/dev.sh >"$log_file" 2>&1 &
dev_pid=$!
stop_app() {
    local status=$?
    if [ "$status" -ne 0 ] && [ -s "$log_file" ]; then
        echo "--- the last lines scripts/dev.sh printed (stand-in, functions, dev server):" >&2
        tail -n 60 "$log_file" >&2
    fi
    kill -TERM -- "-$dev_pid" 2>/dev/null || true
    wait "$dev_pid" 2>/dev/null || true
    rm -f "$log_file"
}
trap stop_app EXIT

# dev.sh prints this line once the stand-in, both functions and the dev server all answer.
deadline=$((SECONDS + 900))
until grep -q 'The app is running at' "$log_file"; do
    if ! kill -0 "$dev_pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
        echo "error: the app did not come up; scripts/dev.sh printed:" >&2
        cat "$log_file" >&2
        exit 1
    fi
    sleep 1
done
grep 'The app is running at' "$log_file"

cd frontend
CI=${CI:-} npx playwright test "$@"
