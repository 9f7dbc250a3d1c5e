#!/usr/bin/env bash
# Tests scripts/publish-frontend.sh against moto's server on 127.0.0.1, which stands in for
# CloudFormation, S3 and CloudFront: a stack like the one `sam deploy` makes (its bucket is a real
# moto bucket; its distribution is created through moto's CloudFront API, whose CloudFormation
# support lacks distributions), then real publishes with the AWS CLI. Checks every object's
# Cache-Control and bytes, that stale files go, that an invalidation is made, that the real
# frontend build gets the deployed settings, and the failures that must stop a publish.
# Fake credentials and a private AWS config: nothing here can reach AWS.
set -euo pipefail
cd "$(dirname "$0")/.."
repo_root=$PWD
started=$SECONDS

# ---------------------------------------------------------------- tools ---------------------

scripts/setup-python-tools.sh >/dev/null
# pip takes seconds even when everything is there; an exact version match per pin is enough.
pins_installed() {
    .venv/bin/python3 - scripts/requirements-publish-test.txt <<'PY'
import importlib.metadata as metadata, re, sys
for line in open(sys.argv[1]):
    pin = re.match(r"\s*([A-Za-z0-9_.-]+)(\[[^\]]*\])?==(\S+)", line)
    if pin:
        try:
            if metadata.version(pin.group(1)) != pin.group(3):
                sys.exit(1)
        except metadata.PackageNotFoundError:
            sys.exit(1)
PY
}
if ! pins_installed || [[ ! -x .venv/bin/moto_server || ! -x .venv/bin/aws ]]; then
    echo "Installing scripts/requirements-publish-test.txt into .venv"
    .venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements-publish-test.txt
fi
export PATH="$repo_root/.venv/bin:$PATH"

tmp=$(mktemp -d)
moto_pid=""
cleanup() {
    if [[ -n $moto_pid ]]; then
        kill "$moto_pid" 2>/dev/null || true
        wait "$moto_pid" 2>/dev/null || true
    fi
    rm -rf -- "$tmp"
}
trap cleanup EXIT

# Nothing from the caller's AWS setup may leak in: no profile, no per-service endpoint, no real
# credentials, no config or credentials file.
while read -r name; do
    unset "$name"
done < <(compgen -e | grep -E '^(AWS_|STACK_NAME$)' || true)
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=$tmp/no-aws-config AWS_SHARED_CREDENTIALS_FILE=$tmp/no-aws-credentials
export AWS_PAGER="" PYTHONUNBUFFERED=1
# Other VITE_* settings in the caller's shell would reach the real build below.
while read -r name; do
    unset "$name"
done < <(compgen -e | grep '^VITE_' || true)

# ---------------------------------------------------------------- moto ----------------------

moto_server -H 127.0.0.1 -p 0 >"$tmp/moto.log" 2>&1 &
moto_pid=$!
# Port 0: the OS picks a free port and werkzeug logs it once the socket listens; then the API
# must answer. Polled, with a deadline.
endpoint=""
for _ in $(seq 300); do
    kill -0 "$moto_pid" 2>/dev/null || { cat "$tmp/moto.log" >&2; echo "error: moto_server exited" >&2; exit 1; }
    if [[ -z $endpoint ]]; then
        endpoint=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$tmp/moto.log" | head -n 1 || true)
    fi
    if [[ -n $endpoint ]] && curl -fsS -o /dev/null "$endpoint/moto-api/" 2>/dev/null; then
        break
    fi
    sleep 0.05
done
curl -fsS -o /dev/null "$endpoint/moto-api/" ||
    { cat "$tmp/moto.log" >&2; echo "error: moto_server did not answer within 15 s" >&2; exit 1; }
export AWS_ENDPOINT_URL=$endpoint
echo "moto_server (pid $moto_pid) on $endpoint, ready after $((SECONDS - started)) s"

# ---------------------------------------------------------------- checks --------------------

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() {
    failed=$((failed + 1))
    echo "not ok - $1"
    [[ -z ${2:-} ]] || printf '%s\n' "$2" | sed 's/^/    /'
}
expect_eq() { # name expected actual
    if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1" "expected: $2"$'\n'"actual:   $3"; fi
}
expect_contains() { # name needle file
    if grep -qF -- "$2" "$3"; then pass "$1"; else fail "$1" "no '$2' in:"$'\n'"$(cat "$3")"; fi
}

publish_rc=0
publish() { # log-file args... — runs the publish script, keeping its exit code and output
    local log=$1
    shift
    publish_rc=0
    scripts/publish-frontend.sh "$@" >"$log" 2>&1 || publish_rc=$?
}
expect_publish_fails() { # name log needle
    if [[ $publish_rc -ne 0 ]] && grep -qF -- "$3" "$2"; then
        pass "$1"
    else
        fail "$1" "exit code $publish_rc, expected non-zero with '$3'; output:"$'\n'"$(cat "$2")"
    fi
}

bucket_keys() { aws s3api list-objects-v2 --bucket "$1" --query 'Contents[].Key' --output text | tr '\t' '\n' | sort; }
invalidation_count() {
    # moto leaves out InvalidationList.Quantity, so count the items.
    aws cloudfront list-invalidations --distribution-id "$1" --query 'InvalidationList.Items[].Id' \
        --output text | wc -w
}

# Every object's key, Cache-Control, Content-Type and ETag (the MD5 of a single-part upload),
# read with HeadObject in one process: each AWS CLI start costs about a second here.
bucket_listing() { # bucket
    python3 - "$1" <<'PY'
import sys
import boto3

bucket = sys.argv[1]
s3 = boto3.client("s3")
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
    for item in page.get("Contents", []):
        head = s3.head_object(Bucket=bucket, Key=item["Key"])
        fields = [item["Key"], head.get("CacheControl", "(none)"), head.get("ContentType", "(none)"),
                  head["ETag"].strip('"')]
        print("\t".join(fields))
PY
}

# What a build must look like in the bucket: Vite's hashed assets cached for a year, everything
# else revalidated, each file under a type browsers accept with `nosniff` (the template sends it),
# and the build's bytes.
# With "headers-only", dist is a copy downloaded from the bucket, so only the headers say anything.
check_bucket_matches() { # label bucket dist [headers-only]
    local label=$1 bucket=$2 dist=$3 headers_only=${4:-} key cache_control content_type etag
    local want_cache want_type listing
    listing=$(bucket_listing "$bucket")
    [[ -n $headers_only ]] || expect_eq "$label: the bucket holds exactly the build's files" \
        "$(cd "$dist" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ')" \
        "$(cut -f1 <<<"$listing" | sort | tr '\n' ' ')"
    while IFS=$'\t' read -r key cache_control content_type etag; do
        [[ -f $dist/$key ]] || continue
        want_cache="no-cache"
        [[ $key == assets/* ]] && want_cache="public, max-age=31536000, immutable"
        expect_eq "$label: $key has Cache-Control: $want_cache" "$want_cache" "$cache_control"
        case $key in
            *.html) want_type="text/html" ;;
            *.js) want_type="javascript" ;;
            *.css) want_type="text/css" ;;
            *.svg) want_type="image/svg+xml" ;;
            *) want_type="" ;;
        esac
        if [[ -n $want_type ]]; then
            if [[ $content_type == *"$want_type"* ]]; then
                pass "$label: $key has Content-Type $content_type"
            else
                fail "$label: $key has a $want_type Content-Type" "got: $content_type"
            fi
        fi
        [[ -n $headers_only ]] ||
            expect_eq "$label: $key has the build's bytes (MD5)" "$(md5sum <"$dist/$key" | cut -d' ' -f1)" "$etag"
    done <<<"$listing"
}

# ---------------------------------------------------------------- fixtures ------------------

project_id=P2PublishTestProject
# What `sam deploy` leaves: a distribution and a stack naming it and its bucket in Outputs.
cat >"$tmp/distribution.json" <<'JSON'
{
  "CallerReference": "publish-frontend-test",
  "Comment": "publish-frontend test",
  "Enabled": true,
  "DefaultRootObject": "index.html",
  "Origins": {"Quantity": 1, "Items": [{"Id": "FrontendBucket",
    "DomainName": "frontend.s3.us-east-1.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
  "DefaultCacheBehavior": {"TargetOriginId": "FrontendBucket", "ViewerProtocolPolicy": "redirect-to-https",
    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}
}
JSON
read -r distribution_id distribution_domain < <(aws cloudfront create-distribution \
    --distribution-config "file://$tmp/distribution.json" \
    --query 'Distribution.[Id, DomainName]' --output text)

cat >"$tmp/stack.yaml" <<'YAML'
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DescopeProjectId: { Type: String }
  DescopeBaseUri: { Type: String, Default: "" }
  DistributionId: { Type: String }
  DistributionDomainName: { Type: String }
Resources:
  FrontendBucket: { Type: AWS::S3::Bucket }
Outputs:
  SiteUrl: { Value: !Sub "https://${DistributionDomainName}" }
  FrontendBucketName: { Value: !Ref FrontendBucket }
  DistributionId: { Value: !Ref DistributionId }
YAML
aws cloudformation create-stack --stack-name publish-test --template-body "file://$tmp/stack.yaml" \
    --parameters "ParameterKey=DescopeProjectId,ParameterValue=$project_id" \
    "ParameterKey=DistributionId,ParameterValue=$distribution_id" \
    "ParameterKey=DistributionDomainName,ParameterValue=$distribution_domain" >/dev/null
bucket=$(aws cloudformation describe-stacks --stack-name publish-test \
    --query "Stacks[0].Outputs[?OutputKey=='FrontendBucketName'].OutputValue | [0]" --output text)

# Another project's stack: a bucket, no outputs.
cat >"$tmp/stack-no-outputs.yaml" <<'YAML'
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  SomeBucket: { Type: AWS::S3::Bucket }
YAML
aws cloudformation create-stack --stack-name publish-test-no-outputs \
    --template-body "file://$tmp/stack-no-outputs.yaml" >/dev/null

# The right outputs but no DescopeProjectId parameter to build with.
cat >"$tmp/stack-no-project.yaml" <<'YAML'
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DistributionId: { Type: String }
Resources:
  FrontendBucket: { Type: AWS::S3::Bucket }
Outputs:
  FrontendBucketName: { Value: !Ref FrontendBucket }
  DistributionId: { Value: !Ref DistributionId }
YAML
aws cloudformation create-stack --stack-name publish-test-no-project \
    --template-body "file://$tmp/stack-no-project.yaml" \
    --parameters "ParameterKey=DistributionId,ParameterValue=$distribution_id" >/dev/null

# Two small builds shaped like Vite's: hashed files in assets/, the rest un-hashed. Their
# index.html files differ only in a hash, so they have the same size, as real builds do.
make_build() { # dir js-hash
    local dir=$1 hash=$2
    mkdir -p "$dir/assets" "$dir/images"
    printf '<!doctype html><html><head><meta charset="UTF-8"><script type="module" src="/assets/index-%s.js"></script><link rel="stylesheet" href="/assets/index-Css11111.css"></head><body><div id="root"></div></body></html>\n' \
        "$hash" >"$dir/index.html"
    printf 'console.log({VITE_DESCOPE_PROJECT_ID:"%s",build:"%s"});\n' "$project_id" "$hash" >"$dir/assets/index-$hash.js"
    printf 'body{margin:0}\n' >"$dir/assets/index-Css11111.css"
    printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >"$dir/favicon.svg"
    printf '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>\n' >"$dir/images/logo.svg"
}
make_build "$tmp/build-1" Aaaa1111
printf 'User-agent: *\n' >"$tmp/build-1/robots.txt"
make_build "$tmp/build-2" Bbbb2222

# Left in the bucket by an earlier publish: both must go.
printf 'old\n' >"$tmp/stale.txt"
aws s3 cp --quiet "$tmp/stale.txt" "s3://$bucket/stale.txt"
aws s3 cp --quiet "$tmp/stale.txt" "s3://$bucket/assets/index-Old00000.js"

# ---------------------------------------------------------------- tests ---------------------

echo "# publish a build through the stack's outputs"
publish "$tmp/publish-1.log" --stack-name publish-test --dist "$tmp/build-1"
expect_eq "first publish exits 0" 0 "$publish_rc"
[[ $publish_rc -eq 0 ]] || cat "$tmp/publish-1.log"
expect_contains "first publish prints the site URL" "Published: https://$distribution_domain" "$tmp/publish-1.log"
check_bucket_matches "first publish" "$bucket" "$tmp/build-1"
expect_eq "first publish: aws s3api head-object agrees on index.html's Cache-Control" "no-cache" \
    "$(aws s3api head-object --bucket "$bucket" --key index.html --query CacheControl --output text)"
expect_eq "first publish: one invalidation" 1 "$(invalidation_count "$distribution_id")"
invalidation_id=$(aws cloudfront list-invalidations --distribution-id "$distribution_id" \
    --query 'InvalidationList.Items[0].Id' --output text)
expect_eq "first publish: the invalidation covers every path" "/*" \
    "$(aws cloudfront get-invalidation --distribution-id "$distribution_id" --id "$invalidation_id" \
        --query 'Invalidation.InvalidationBatch.Paths.Items' --output text)"
expect_contains "first publish names the invalidation it made" "invalidation $invalidation_id created" "$tmp/publish-1.log"

echo "# republish an older build (same-size index.html, older files), stack name from STACK_NAME"
find "$tmp/build-2" -exec touch -d '2001-01-01 00:00:00' {} +
publish_rc=0
STACK_NAME=publish-test scripts/publish-frontend.sh --dist "$tmp/build-2" >"$tmp/publish-2.log" 2>&1 || publish_rc=$?
expect_eq "second publish exits 0" 0 "$publish_rc"
[[ $publish_rc -eq 0 ]] || cat "$tmp/publish-2.log"
check_bucket_matches "second publish" "$bucket" "$tmp/build-2"
expect_eq "second publish: a second invalidation" 2 "$(invalidation_count "$distribution_id")"

echo "# failures that must stop a publish before it uploads anything"
keys_before=$(bucket_keys "$bucket")

publish "$tmp/no-stack.log" --stack-name no-such-stack --dist "$tmp/build-1"
expect_publish_fails "a missing stack fails, naming it" "$tmp/no-stack.log" "could not read stack 'no-such-stack'"
expect_contains "a missing stack's message passes on CloudFormation's reason" "does not exist" "$tmp/no-stack.log"

publish "$tmp/default-stack.log" --dist "$tmp/build-1"
expect_publish_fails "without --stack-name the stack is samconfig.toml's stack_name" \
    "$tmp/default-stack.log" "could not read stack 'descope-rust-lambda'"

publish "$tmp/no-outputs.log" --stack-name publish-test-no-outputs --dist "$tmp/build-1"
expect_publish_fails "a stack without the outputs fails" "$tmp/no-outputs.log" "has no FrontendBucketName output"

publish "$tmp/no-project.log" --stack-name publish-test-no-project
expect_publish_fails "building without a project ID fails" "$tmp/no-project.log" "no Descope project ID"

publish "$tmp/stand-in-project.log" --stack-name publish-test --project-id P2LocalStandInProject
expect_publish_fails "the local stand-in's project ID is refused" "$tmp/stand-in-project.log" \
    "P2LocalStandInProject is the local stand-in's project ID"

publish "$tmp/http-base-url.log" --stack-name publish-test --base-url http://127.0.0.1:8787
expect_publish_fails "a plain-http Descope base URL is refused" "$tmp/http-base-url.log" \
    "must be an https:// origin"

publish "$tmp/path-base-url.log" --stack-name publish-test --base-url https://auth.example.com/descope
expect_publish_fails "a Descope base URL with a path is refused" "$tmp/path-base-url.log" \
    "must be an https:// origin"

publish "$tmp/wrong-build.log" --stack-name publish-test --project-id P2SomeOtherProject --dist "$tmp/build-1"
expect_publish_fails "a build made for another project is refused" "$tmp/wrong-build.log" \
    "was not built for Descope project P2SomeOtherProject"

mkdir "$tmp/empty-build"
publish "$tmp/no-build.log" --stack-name publish-test --dist "$tmp/empty-build"
expect_publish_fails "a missing build output fails" "$tmp/no-build.log" "no build output"

mkdir "$tmp/empty-path"
publish_rc=0
env PATH="$tmp/empty-path" "$BASH" scripts/publish-frontend.sh --stack-name publish-test \
    --dist "$tmp/build-1" >"$tmp/no-cli.log" 2>&1 || publish_rc=$?
expect_publish_fails "a missing AWS CLI fails" "$tmp/no-cli.log" "the AWS CLI ('aws') is not on PATH"

expect_eq "the failed publishes changed nothing in the bucket" "$keys_before" "$(bucket_keys "$bucket")"
expect_eq "the failed publishes made no invalidation" 2 "$(invalidation_count "$distribution_id")"

echo "# the real frontend build, with local-mode settings in the caller's environment"
if [[ -d frontend/node_modules ]]; then
    publish_rc=0
    VITE_DESCOPE_PROJECT_ID=P2LocalStandInProject VITE_DESCOPE_BASE_URL=http://127.0.0.1:8787 \
        VITE_DESCOPE_LOCAL_LOGIN=true \
        scripts/publish-frontend.sh --stack-name publish-test >"$tmp/build.log" 2>&1 || publish_rc=$?
    expect_eq "publishing with a real build exits 0" 0 "$publish_rc"
    [[ $publish_rc -eq 0 ]] || tail -n 30 "$tmp/build.log"
    mkdir "$tmp/published"
    aws s3 sync --quiet "s3://$bucket" "$tmp/published"
    expect_eq "the published app shell is Vite's index.html" "yes" \
        "$(grep -q '<div id="root"></div>' "$tmp/published/index.html" && echo yes || echo no)"
    # Vite inlines the app's VITE_* settings into its entry chunk as one object literal.
    quote="[\"'\`]"
    for setting in "VITE_DESCOPE_PROJECT_ID=${project_id}" VITE_DESCOPE_LOCAL_LOGIN=false VITE_DESCOPE_BASE_URL=; do
        name=${setting%%=*}
        value=${setting#*=}
        if grep -rqE -- "${name}:${quote}${value}${quote}" "$tmp/published/assets"; then
            pass "the real build has ${name}='${value}'"
        else
            fail "the real build has ${name}='${value}'" \
                "$(grep -rhoE 'VITE_DESCOPE_[A-Z_]+:.{0,40}' "$tmp/published/assets" | head -n 5)"
        fi
    done
    check_bucket_matches "real build" "$bucket" "$tmp/published" headers-only
else
    fail "the real frontend build" "frontend/node_modules is missing: run scripts/setup.sh first"
fi

echo
echo "publish-frontend tests took $((SECONDS - started)) s"
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
