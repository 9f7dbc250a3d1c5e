#!/usr/bin/env bash
# Checks the SAM template (sam validate --lint, cfn-lint) and builds the functions for arm64 and
# the frontend layer with `sam build`, exactly as a deploy would, then checks each function's
# artifact is an aarch64 ELF `bootstrap` and the frontend's has index.html at its root (where the
# publisher looks for it). Works offline once crates and npm packages are fetched: nothing here
# talks to AWS.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m--> %s\033[0m\n' "$*"; }
fail() { echo "error: $*" >&2; exit 1; }

scripts/setup-python-tools.sh >/dev/null
# cargo-lambda finds zig through the first python3 on PATH: it must be the venv's, which has ziglang.
export PATH="$PWD/.venv/bin:$PATH"
export SAM_CLI_TELEMETRY=0

step "sam validate --lint"
sam validate --lint

step "cfn-lint template.yaml"
cfn-lint template.yaml
echo "cfn-lint: no findings"

# What each mode deploys, after the conditions, LanguageExtensions and SAM's transform have run:
# SAM must accept it, and cfn-lint then checks the plain CloudFormation, where it knows every
# resource's attributes. A parameter used only by the other mode's resources is not a finding.
rendered="$(mktemp -d)"
trap 'rm -rf "${rendered}"' EXIT
step "Rendered templates: classic Lambda, and Lambda Managed Instances"
python scripts/render-template.py DescopeProjectId=P2LintProject >"${rendered}/classic.json"
python scripts/render-template.py DescopeProjectId=P2LintProject \
    ManagedInstancesSubnetIds=subnet-0123456789abcdef0,subnet-0123456789abcdef1 \
    ManagedInstancesSecurityGroupIds=sg-0123456789abcdef0 >"${rendered}/managed.json"
grep -q '"AWS::Lambda::CapacityProvider"' "${rendered}/managed.json" ||
    fail "the managed-instances render has no capacity provider"
if grep -q '"AWS::Lambda::CapacityProvider"' "${rendered}/classic.json"; then
    fail "the classic render has a capacity provider"
fi
cfn-lint --ignore-checks W2001 -- "${rendered}/classic.json" "${rendered}/managed.json"
echo "cfn-lint: no findings in either mode"

step "Names at a 128-character stack name, and nothing left behind by sam delete"
python scripts/check-rendered-template.py names "${rendered}/classic.json" "${rendered}/managed.json"
python scripts/check-rendered-template.py retained "${rendered}/classic.json" "${rendered}/managed.json"
echo "every name fits and is unique to its stack; no resource is retained"

# With managed instances, requests reach the alias `live`: a deploy that changes a setting the
# functions run with must publish new versions, or the alias keeps serving the old setting.
step "Managed instances: each parameter change reaches the alias"
for change in LogLevel=DEBUG ManagedInstancesConcurrency=32 DescopeBaseUri=https://auth.example.com \
    DescopeProjectId=P2OtherProject; do
    python scripts/render-template.py DescopeProjectId=P2LintProject \
        ManagedInstancesSubnetIds=subnet-0123456789abcdef0,subnet-0123456789abcdef1 \
        ManagedInstancesSecurityGroupIds=sg-0123456789abcdef0 "${change}" >"${rendered}/changed.json"
    python scripts/check-rendered-template.py new-versions "${rendered}/managed.json" "${rendered}/changed.json"
    echo "${change}: new versions of both functions"
done

# The production options (custom domain, alarms, dashboard, WAF) are off by default: without
# them a stack must have exactly these resources (logical ID, a version hash dropped, and type).
resource_list() {
    python3 -c 'import json, re, sys
for logical_id, resource in sorted(json.load(sys.stdin)["Resources"].items()):
    print(re.sub(r"[0-9a-f]{10}$", "", logical_id), resource["Type"])' <"$1"
}
classic_resources="ApiAccessLogGroup AWS::Logs::LogGroup
Distribution AWS::CloudFront::Distribution
FrontendBucket AWS::S3::Bucket
FrontendBucketPolicy AWS::S3::BucketPolicy
FrontendBuild AWS::Lambda::LayerVersion
FrontendOriginAccessControl AWS::CloudFront::OriginAccessControl
FrontendPublisherFunction AWS::Lambda::Function
FrontendPublisherFunctionRole AWS::IAM::Role
FrontendPublisherLogGroup AWS::Logs::LogGroup
FrontendSite Custom::FrontendSite
GetRoleDataFunction AWS::Lambda::Function
GetRoleDataFunctionGetRoleDataPermission AWS::Lambda::Permission
GetRoleDataFunctionRole AWS::IAM::Role
GetRoleDataLogGroup AWS::Logs::LogGroup
GetRolesFunction AWS::Lambda::Function
GetRolesFunctionGetRolesPermission AWS::Lambda::Permission
GetRolesFunctionRole AWS::IAM::Role
GetRolesLogGroup AWS::Logs::LogGroup
HttpApi AWS::ApiGatewayV2::Api
HttpApiApiGatewayDefaultStage AWS::ApiGatewayV2::Stage
SecurityHeadersPolicy AWS::CloudFront::ResponseHeadersPolicy
SpaRewriteFunction AWS::CloudFront::Function"
managed_extras="ApiCapacityProvider AWS::Lambda::CapacityProvider
ApiCapacityProviderOperatorRole AWS::IAM::Role
GetRoleDataFunctionAliaslive AWS::Lambda::Alias
GetRoleDataFunctionVersion AWS::Lambda::Version
GetRolesFunctionAliaslive AWS::Lambda::Alias
GetRolesFunctionVersion AWS::Lambda::Version"

step "Production options off: exactly the stack's usual resources"
diff <(echo "${classic_resources}") <(resource_list "${rendered}/classic.json") ||
    fail "the classic render without options has other resources than the usual ones (diff above)"
diff <(printf '%s\n%s\n' "${classic_resources}" "${managed_extras}" | sort) \
    <(resource_list "${rendered}/managed.json") ||
    fail "the managed render without options has other resources than the usual ones (diff above)"
echo "classic: $(echo "${classic_resources}" | wc -l) resources; managed: $(resource_list "${rendered}/managed.json" | wc -l)"

step "Production options: each alone and all together, in both modes, rendered and linted"
certificate=arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
web_acl=arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
options=(
    "DomainName=app.example.com CertificateArn=${certificate}"
    "DomainName=app.example.com CertificateArn=${certificate} HostedZoneId=Z0123456789ABCDEFGHIJ"
    "AlarmEmail=ops@example.com"
    "CreateDashboard=true"
    "WebAclArn=${web_acl}"
    "DomainName=app.example.com CertificateArn=${certificate} HostedZoneId=Z0123456789ABCDEFGHIJ AlarmEmail=ops@example.com CreateDashboard=true WebAclArn=${web_acl}"
)
managed_settings=(ManagedInstancesSubnetIds=subnet-0123456789abcdef0,subnet-0123456789abcdef1
    ManagedInstancesSecurityGroupIds=sg-0123456789abcdef0)
renders=()
for index in "${!options[@]}"; do
    read -r -a option <<<"${options[$index]}"
    python scripts/render-template.py DescopeProjectId=P2LintProject "${option[@]}" \
        >"${rendered}/option-${index}-classic.json"
    python scripts/render-template.py DescopeProjectId=P2LintProject "${option[@]}" "${managed_settings[@]}" \
        >"${rendered}/option-${index}-managed.json"
    renders+=("${rendered}/option-${index}-classic.json" "${rendered}/option-${index}-managed.json")
done
cfn-lint --ignore-checks W2001 -- "${renders[@]}"
python scripts/check-rendered-template.py names "${renders[@]}" >/dev/null
python scripts/check-rendered-template.py retained "${renders[@]}"
all="${rendered}/option-$((${#options[@]} - 1))-managed.json"
for expected in AWS::Route53::RecordSet AWS::SNS::Topic AWS::CloudWatch::Alarm AWS::Logs::MetricFilter \
    AWS::CloudWatch::Dashboard; do
    grep -q "\"${expected}\"" "${all}" || fail "the render with every option has no ${expected}"
done
grep -q '"WebACLId"' "${all}" || fail "the render with every option attaches no web ACL"
python3 -c 'import json, sys
sys.exit("${DomainName}" not in json.dumps(json.load(open(sys.argv[1]))["Outputs"]["SiteUrl"]["Value"]))' "${all}" ||
    fail "SiteUrl does not show the custom domain"
echo "${#renders[@]} renders: cfn-lint clean, names fit, nothing retained"

step "Metric filters against the log lines the compiled functions write"
scripts/check-log-patterns.sh

step "sam build (cargo lambda build --release --arm64 per function; the frontend's Makefile)"
started=$SECONDS
sam build
echo "sam build took $((SECONDS - started)) s"

# The ELF header says what the kernel will load: magic 7f 45 4c 46, class 2 (64-bit) at byte 4,
# data 1 (little-endian) at byte 5, and e_machine 0xb7 (AArch64) at bytes 18-19.
elf_bytes() { od -An -tx1 -v -j "$2" -N "$3" "$1" | tr -d ' \n'; }

step "Artifacts"
for function in GetRolesFunction GetRoleDataFunction FrontendPublisherFunction; do
    artifact=".aws-sam/build/$function/bootstrap"
    [[ -f "$artifact" ]] || fail "$artifact is missing after sam build"
    [[ -x "$artifact" ]] || fail "$artifact is not executable"
    [[ "$(elf_bytes "$artifact" 0 6)" == "7f454c460201" ]] ||
        fail "$artifact is not a 64-bit little-endian ELF file"
    [[ "$(elf_bytes "$artifact" 18 2)" == "b700" ]] ||
        fail "$artifact is not built for aarch64 (e_machine $(elf_bytes "$artifact" 18 2))"
    size=$(wc -c <"$artifact")
    printf '%-26s %s  aarch64 ELF, %d bytes (%d KiB)\n' "$function" "$artifact" "$size" $((size / 1024))
done

# The layer's zip is this folder's contents, and the publisher serves the zip's root as the site.
frontend=".aws-sam/build/FrontendBuild"
[[ -f "$frontend/index.html" ]] || fail "$frontend/index.html is missing after sam build"
[[ -d "$frontend/assets" ]] || fail "$frontend/assets/ is missing after sam build"
files=$(find "$frontend" -type f | wc -l)
size=$(du -sk "$frontend" | cut -f1)
printf '%-26s %s  %d files, %d KiB\n' FrontendBuild "$frontend/index.html" "$files" "$size"
