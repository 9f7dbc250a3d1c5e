#!/usr/bin/env bash
# Publishes the React app to the stack that `sam deploy` made: builds frontend/ for the deployed
# site, uploads the build to the stack's private bucket with caching headers that suit Vite's
# output, removes files the new build no longer has, and invalidates the CloudFront cache.
#
#   scripts/publish-frontend.sh [--stack-name NAME] [--region REGION] [--project-id P...]
#                               [--base-url URL] [--skip-build | --dist DIR]
#
# Run it after every `sam deploy` that changed the stack, and after every frontend change.
# Needs the AWS CLI (v2, or v1 ≥ 1.29) with credentials for the stack's account, and Node for
# the build. AWS_ENDPOINT_URL, when set, sends every AWS call there instead (used by the tests).
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: scripts/publish-frontend.sh [options]

Builds frontend/ for the deployed site, uploads it to the stack's bucket and invalidates the
CloudFront cache. Run it after `sam deploy`.

Options:
  --stack-name NAME   Stack to publish to. Default: $STACK_NAME, else stack_name in
                      samconfig.toml.
  --region REGION     AWS region of the stack. Default: $AWS_REGION, else the AWS CLI's own
                      (AWS_DEFAULT_REGION or the profile's region).
  --project-id ID     Descope project ID to build with. Default: the stack's DescopeProjectId
                      parameter.
  --base-url URL      Descope API base URL (custom domain) to build with. Default: the stack's
                      DescopeBaseUri parameter; empty means Descope's own.
  --skip-build        Upload frontend/dist as it is instead of building.
  --dist DIR          Upload DIR instead of building (implies --skip-build).
  -h, --help          Show this help.
USAGE
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Only shell builtins run until the AWS CLI check below, so that check is the first thing to
# fail on a machine without the CLI, whatever else PATH lacks.
script_path=${BASH_SOURCE[0]}
case $script_path in
    */*) script_dir=${script_path%/*} ;;
    *) script_dir=. ;;
esac
repo_root=$(cd -- "$script_dir/.." && pwd)

stack_name=${STACK_NAME:-}
region=${AWS_REGION:-}
project_id=""
base_url=""
base_url_given=false
skip_build=false
dist=""

need_value() {
    [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"
}

while [[ $# -gt 0 ]]; do
    case $1 in
        --stack-name) need_value "$@"; stack_name=$2; shift 2 ;;
        --stack-name=*) stack_name=${1#*=}; shift ;;
        --region) need_value "$@"; region=$2; shift 2 ;;
        --region=*) region=${1#*=}; shift ;;
        --project-id) need_value "$@"; project_id=$2; shift 2 ;;
        --project-id=*) project_id=${1#*=}; shift ;;
        --base-url) [[ $# -ge 2 ]] || die "--base-url needs a value"; base_url=$2; base_url_given=true; shift 2 ;;
        --base-url=*) base_url=${1#*=}; base_url_given=true; shift ;;
        --skip-build) skip_build=true; shift ;;
        --dist) need_value "$@"; dist=$2; skip_build=true; shift 2 ;;
        --dist=*) dist=${1#*=}; skip_build=true; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

command -v aws >/dev/null 2>&1 ||
    die "the AWS CLI ('aws') is not on PATH. Install it (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html) and configure credentials for the stack's account."

# The stack name SAM deploys to: [default.deploy.parameters] wins over [default.global.parameters],
# as in SAM itself.
samconfig_stack_name() {
    local samconfig="$repo_root/samconfig.toml"
    [[ -f $samconfig ]] || return 0
    awk '
        /^[[:space:]]*\[/ { section = $0; gsub(/[[:space:]]/, "", section); next }
        /^[[:space:]]*stack_name[[:space:]]*=/ {
            value = $0
            sub(/^[^=]*=[[:space:]]*"/, "", value); sub(/".*$/, "", value)
            if (section == "[default.deploy.parameters]") deploy = value
            else if (section == "[default.global.parameters]") global = value
        }
        END { print (deploy != "" ? deploy : global) }
    ' "$samconfig"
}

if [[ -z $stack_name ]]; then
    stack_name=$(samconfig_stack_name)
fi
[[ -n $stack_name ]] || die "no stack name: pass --stack-name NAME or set STACK_NAME (samconfig.toml has no stack_name)."

aws_cmd=(aws)
[[ -n $region ]] && aws_cmd+=(--region "$region")
# Passed explicitly as well: an AWS CLI too old to read AWS_ENDPOINT_URL would otherwise ignore
# it silently and talk to real AWS.
if [[ -n ${AWS_ENDPOINT_URL:-} ]]; then
    aws_cmd+=(--endpoint-url "$AWS_ENDPOINT_URL")
    echo "Using AWS endpoint ${AWS_ENDPOINT_URL}"
fi
aws_cli() { "${aws_cmd[@]}" "$@"; }

work_dir=$(mktemp -d)
trap 'rm -rf -- "$work_dir"' EXIT

# ---------------------------------------------------------------- stack ---------------------

where="stack '${stack_name}'${region:+ in ${region}}"
echo "Reading ${where}"
# One call for everything; `|| '-'` keeps every field non-empty so the tab-separated line splits
# into the right fields even where a value is missing or an empty string.
stack_query="Stacks[0].[StackStatus"
for output in FrontendBucketName DistributionId SiteUrl; do
    stack_query+=", (Outputs[?OutputKey=='${output}'].OutputValue | [0]) || '-'"
done
for parameter in DescopeProjectId DescopeBaseUri; do
    stack_query+=", (Parameters[?ParameterKey=='${parameter}'].ParameterValue | [0]) || '-'"
done
stack_query+="]"

if ! stack_line=$(aws_cli cloudformation describe-stacks --stack-name "$stack_name" \
    --query "$stack_query" --output text 2>"$work_dir/describe.err"); then
    die "could not read ${where}: $(tr '\n' ' ' <"$work_dir/describe.err")
Deploy it first with 'sam deploy', or name the right one with --stack-name/--region."
fi
IFS=$'\t' read -r stack_status bucket distribution_id site_url stack_project_id stack_base_url \
    <<<"$stack_line"

case $stack_status in
    CREATE_COMPLETE | UPDATE_COMPLETE | UPDATE_ROLLBACK_COMPLETE | IMPORT_COMPLETE | IMPORT_ROLLBACK_COMPLETE) ;;
    *) die "${where} is ${stack_status}; publish once 'sam deploy' has finished successfully." ;;
esac
[[ $bucket != "-" ]] ||
    die "${where} has no FrontendBucketName output. Is it this project's stack (template.yaml)? Run 'sam deploy' to update it."
[[ $distribution_id != "-" ]] ||
    die "${where} has no DistributionId output. Is it this project's stack (template.yaml)? Run 'sam deploy' to update it."
[[ $site_url != "-" ]] || site_url=""
[[ $stack_project_id != "-" ]] || stack_project_id=""
[[ $stack_base_url != "-" ]] || stack_base_url=""
echo "  bucket ${bucket}, distribution ${distribution_id}"

[[ -n $project_id ]] || project_id=$stack_project_id
$base_url_given || base_url=$stack_base_url

if [[ -n $project_id ]]; then
    [[ $project_id =~ ^P[A-Za-z0-9]+$ ]] ||
        die "'${project_id}' is not a Descope project ID (the letter P followed by letters and digits)."
    [[ $project_id != "P2LocalStandInProject" ]] ||
        die "P2LocalStandInProject is the local stand-in's project ID; the deployed site needs your Descope project ID (--project-id)."
fi
# The site is served over HTTPS, and the template's CSP admits the custom domain as given to the
# stack; a plain-http base URL would be blocked as mixed content.
if [[ -n $base_url && ! $base_url =~ ^https://[A-Za-z0-9.-]+(:[0-9]+)?$ ]]; then
    die "--base-url '${base_url}' must be an https:// origin (no path), like the stack's DescopeBaseUri."
fi

# ---------------------------------------------------------------- build ---------------------

if $skip_build; then
    dist=${dist:-$repo_root/frontend/dist}
    echo "Uploading ${dist} as it is (no build)"
else
    [[ -n $project_id ]] ||
        die "no Descope project ID: the stack has no DescopeProjectId parameter; pass --project-id P..."
    command -v npm >/dev/null 2>&1 || die "npm is not on PATH; install Node.js 20 to build the frontend."
    [[ -d $repo_root/frontend/node_modules ]] ||
        die "frontend/node_modules is missing; run 'npm ci --prefix frontend' (or scripts/setup.sh) first."
    # A build of its own, outside frontend/dist: that folder may hold a local-mode build for the
    # tests, and this way exactly what was just built is uploaded. The variables are set
    # explicitly, even when empty, because Vite lets them override frontend/.env.local, which
    # holds the local stand-in settings on a developer's machine.
    dist=$work_dir/dist
    echo "Building the frontend for Descope project ${project_id}${base_url:+ with base URL ${base_url}}"
    VITE_DESCOPE_PROJECT_ID=$project_id \
        VITE_DESCOPE_BASE_URL=$base_url \
        VITE_DESCOPE_LOCAL_LOGIN=false \
        npm --prefix "$repo_root/frontend" run build -- --outDir "$dist" --emptyOutDir
fi

[[ -f $dist/index.html ]] ||
    die "no build output: ${dist}/index.html does not exist. Build with 'npm run build' in frontend/, or drop --skip-build."
# The app inlines its VITE_* settings, so a build for this project contains the project ID; a
# build for the local stand-in (as the end-to-end tests make in frontend/dist) does not.
if [[ -n $project_id ]]; then
    grep -rqF -- "$project_id" "$dist" ||
        die "${dist} was not built for Descope project ${project_id} (it never mentions it); rebuild it without --skip-build."
else
    echo "warning: the stack names no Descope project ID, so the build's settings go unchecked" >&2
fi

# ---------------------------------------------------------------- upload --------------------

assets=$dist/assets
if [[ ! -d $assets ]]; then
    # Syncing an empty folder still removes the previous build's assets.
    assets=$work_dir/no-assets
    mkdir "$assets"
fi
immutable="public, max-age=31536000, immutable"
s3_quiet=(--no-progress --only-show-errors)

# Order matters to visitors: the new hashed assets go first, so the new index.html never names
# a file that is not there yet; the previous build's files are removed last.
echo "Uploading hashed assets (Cache-Control: ${immutable})"
aws_cli s3 sync "$assets" "s3://${bucket}/assets" "${s3_quiet[@]}" --cache-control "$immutable"

# Copied, not synced: sync skips a file whose size is unchanged and whose copy in the bucket is
# newer, and a new index.html usually has the old one's size (only hashes differ) - republishing
# an older build would then leave the newer index.html in place.
echo "Uploading index.html and the other un-hashed files (Cache-Control: no-cache)"
aws_cli s3 cp "$dist" "s3://${bucket}" --recursive --exclude "assets/*" "${s3_quiet[@]}" \
    --cache-control "no-cache"

echo "Removing files the new build no longer has"
aws_cli s3 sync "$assets" "s3://${bucket}/assets" --delete --no-progress --cache-control "$immutable"
aws_cli s3 sync "$dist" "s3://${bucket}" --delete --exclude "assets/*" --no-progress \
    --cache-control "no-cache"

# ---------------------------------------------------------------- CDN -----------------------

# '/*' rather than a list of paths: it is one path to pay for, it also drops files this build
# removed, and it covers objects an earlier upload may have cached without these headers.
# Hashed assets would need none, but a fresh copy of them costs one origin fetch each.
invalidation_id=$(aws_cli cloudfront create-invalidation --distribution-id "$distribution_id" \
    --paths '/*' --query 'Invalidation.Id' --output text)
echo "CloudFront invalidation ${invalidation_id} created; edges serve the new build within a minute or two."
echo "  To wait for it: aws cloudfront wait invalidation-completed --distribution-id ${distribution_id} --id ${invalidation_id}"

if [[ -n $site_url ]]; then
    echo "Published: ${site_url}"
else
    echo "Published to bucket ${bucket} (the stack has no SiteUrl output to print)"
fi
