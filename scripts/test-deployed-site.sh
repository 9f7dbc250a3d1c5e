#!/usr/bin/env bash
# Rehearses the deployed site end to end, on loopback, with the real artefacts: the FrontendBuild
# layer as `sam build` makes it, published by the compiled frontend-publisher under a local
# Lambda Runtime API into moto's S3 (functions/frontend-publisher/examples/local-frontend-stack.rs),
# served by a local stand-in for the CloudFront distribution that reads its rules from
# template.yaml (scripts/deployed-site/edge.mjs), with the API under `cargo lambda watch` and the
# Descope stand-in behind it. Playwright then drives Debian's Chromium against it, under the
# site's own Content-Security-Policy (frontend/deployed-site/).
#
# Reuses .aws-sam/build/FrontendBuild when scripts/check-infra.sh has built it; otherwise builds
# the layer with frontend/Makefile as `sam build` would (an older `sam build` output is used as it
# is: rebuild it, or remove .aws-sam, to rehearse changed sources). Prints "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

[ -x /usr/bin/chromium ] || { echo "error: /usr/bin/chromium is missing; run scripts/setup.sh" >&2; exit 1; }

# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/stand-in.sh
source scripts/lib/stand-in.sh

scripts/setup-python-tools.sh >/dev/null
export PATH="$PWD/.venv/bin:$PATH"

open_work_dir

step() { printf -- '--> %s\n' "$*"; }

# ------------------------------------------------------------------ the two builds -----------

# The Makefile's own rule: a clean install whenever the lock file is newer than node_modules.
make -s -C frontend node_modules/.package-lock.json >/dev/null

build_a=$PWD/.aws-sam/build/FrontendBuild
if [ -f "$build_a/index.html" ]; then
    step "First build: $build_a (sam build's)"
else
    build_a=$work/build-a
    step "First build: make build-FrontendBuild, as sam build runs it"
    make -s -C frontend --old-file=node_modules/.package-lock.json build-FrontendBuild \
        ARTIFACTS_DIR="$build_a" >"$work/build-a.log" 2>&1 || fail_setup "the first build failed"
fi

# The redeploy needs a build that differs as a code change would make it differ: the same
# sources with one visible text changed, built by the same Makefile target, so every chunk that
# depends on the changed one gets a new hashed name.
step "Second build: the sources with the footer changed, built the same way"
copy=$work/frontend-changed
mkdir -p "$copy/node_modules"
tar -C frontend --exclude=./node_modules --exclude=./dist --exclude=./test-results \
    --exclude=./playwright-report -cf - . | tar -C "$copy" -xf -
# The packages are shared; tsc's incremental state (node_modules/.tmp) is the copy's own.
for entry in frontend/node_modules/* frontend/node_modules/.bin frontend/node_modules/.package-lock.json; do
    ln -s "$PWD/$entry" "$copy/node_modules/"
done
SECOND_BUILD_FOOTER='Authentication by Descope (second build)'
sed -i "s/Authentication by Descope/$SECOND_BUILD_FOOTER/" "$copy/src/components/SiteLayout.tsx"
grep -q "$SECOND_BUILD_FOOTER" "$copy/src/components/SiteLayout.tsx" ||
    fail_setup "the footer text to change is no longer in SiteLayout.tsx"
build_b=$work/build-b
make -s -C "$copy" --old-file=node_modules/.package-lock.json build-FrontendBuild \
    ARTIFACTS_DIR="$build_b" >"$work/build-b.log" 2>&1 || fail_setup "the second build failed"

# ------------------------------------------------------------------ the services -------------

step "Building the stand-in, the functions, the publisher and its local stack"
cargo build --quiet -p descope-stand-in -p get-roles -p get-role-data
cargo build --quiet -p frontend-publisher --bin frontend-publisher --example local-frontend-stack

start_stand_in --port 0
step "Descope stand-in: $stand_in_url"

start_local_api
# Without a token no key is fetched; the first request to each function waits for its build.
for path in /get_roles /get_role_data; do
    wait_until 900 "cargo lambda watch ($path)" "$api_pid" answers "$api_url$path" ||
        fail_setup "$wait_failure"
done
step "API (cargo lambda watch): $api_url"

start_service "$work/stack.log" target/debug/examples/local-frontend-stack target/debug/frontend-publisher
stack_pid=$service_pid
stack_ready() { grep -qs '^{"' "$work/stack.log"; }
wait_until 60 "the local frontend stack" "$stack_pid" stack_ready || fail_setup "$wait_failure"
stack=$(grep -m 1 '^{"' "$work/stack.log")
json_field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
stack_control=$(json_field "$stack" control)
s3_endpoint=$(json_field "$stack" s3Endpoint)
bucket=$(json_field "$stack" bucket)

step "Publishing the first build (a CloudFormation Create)"
answer=$(curl -s --max-time 120 -X POST --data \
    "{\"build\": \"$build_a\", \"projectId\": \"$STAND_IN_PROJECT_ID\", \"baseUri\": \"$stand_in_url\"}" \
    "$stack_control/publish") || fail_setup "the publish request failed"
[[ "$(json_field "$answer" Status)" == SUCCESS ]] || fail_setup "the publisher answered: $answer"

# The distribution as CloudFormation would deploy it for these parameters. (CloudFormation
# itself would refuse this DescopeBaseUri, whose AllowedPattern asks for https://: the stand-in
# speaks plain http on loopback. The CSP is rendered from it all the same.)
python scripts/render-template.py DescopeProjectId="$STAND_IN_PROJECT_ID" \
    DescopeBaseUri="$stand_in_url" >"$work/rendered.json" || fail_setup "rendering template.yaml failed"
start_service "$work/edge.log" node scripts/deployed-site/edge.mjs "$work/rendered.json" \
    "$s3_endpoint" "$bucket" "$api_url"
edge_pid=$service_pid
edge_url=
edge_listening() {
    local line
    line=$(grep -s -m 1 -E '^edge listening on http://' "$work/edge.log") && edge_url=${line#edge listening on }
}
wait_until 30 "the edge" "$edge_pid" edge_listening || fail_setup "$wait_failure"
step "Site (the edge): $edge_url, ready after $((SECONDS - started)) s"

# ------------------------------------------------------------------ the browser --------------

status=0
(
    cd frontend
    DEPLOYED_SITE_URL=$edge_url STAND_IN_URL=$stand_in_url STACK_CONTROL_URL=$stack_control \
        FIRST_BUILD_DIR=$build_a SECOND_BUILD_DIR=$build_b SECOND_BUILD_FOOTER=$SECOND_BUILD_FOOTER \
        STAND_IN_PROJECT_ID=$STAND_IN_PROJECT_ID RESULTS_FILE=$work/results.json \
        npx playwright test --config playwright.deployed-site.config.ts "$@"
) || status=$?

if [ -s "$work/results.json" ]; then
    python3 - "$work/results.json" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1], encoding="utf-8"))["stats"]
print(f"\n{stats['expected']} passed, {stats['unexpected'] + stats['flaky']} failed")
PY
else
    echo "0 passed, 1 failed (Playwright reported nothing)"
    status=1
fi
if [ "$status" -ne 0 ]; then
    for log in "$work"/{stack,edge,stand-in}.log; do
        echo "--- $log (last 30 lines)"
        tail -n 30 "$log"
    done
fi
echo "The deployed-site rehearsal took $((SECONDS - started)) s"
exit "$status"
