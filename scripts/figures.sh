#!/usr/bin/env bash
# Prints the functions' performance figures, each beside a no-op `lambda_http` function built and
# measured in the same run, so they read as ratios (absolute numbers on a shared machine drift):
#   - cold init (process start → first poll of the Runtime API) and cold first response,
#   - warm invocation latency p50 / p99 under a local Lambda Runtime API,
#   - peak RSS (VmHWM), key-server hits,
#   - the key fetch on the request path (get-roles): the first request of an environment
#     initialised ahead of traffic (key server answering in 100 ms) beside warm requests, and
#     p50/p99 across a key refresh (key server answering in 300 ms) at the lowest and highest
#     concurrency, the function's wall clock moved from outside with libfaketime,
#   - throughput and p50/p99 of one environment at concurrency 1, 4 and 16
#     (AWS_LAMBDA_MAX_CONCURRENCY), beside the same binary one at a time and the no-op function,
#   - bootstrap size, raw and zipped (native, and arm64 through cargo-lambda when available),
#   - criterion: bare signature verification (descope-auth) vs a whole handler call (get-roles).
#
# Usage: scripts/figures.sh [--invocations N] [--cold-starts K] [--burst N] [--concurrency 1,4,16]
#                           [--no-arm64] [--no-bench]
# Env: CARGO_LAMBDA (path to cargo-lambda; default: .venv/bin/cargo-lambda, then PATH).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"

invocations=1000
cold_starts=10
burst=2000
concurrency=1,4,16
arm64=1
bench=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --invocations) invocations="$2"; shift 2 ;;
        --cold-starts) cold_starts="$2"; shift 2 ;;
        --burst) burst="$2"; shift 2 ;;
        --concurrency) concurrency="$2"; shift 2 ;;
        --no-arm64) arm64=0; shift ;;
        --no-bench) bench=0; shift ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

functions=(get-roles get-role-data)
packages=()
for function in "${functions[@]}"; do packages+=(-p "$function"); done
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

echo "== building (release profile from Cargo.toml)" >&2
# Functions on their own, as `cargo lambda build` builds them.
cargo build --release --quiet "${packages[@]}"
# The baseline runs on the API functions' own runtime (api-startup's example); the harness drives
# the binaries (test-support's example).
cargo build --release --quiet -p api-startup --example noop-function
cargo build --release --quiet -p test-support --example lambda-figures

noop="${target_dir}/release/examples/noop-function"

echo
echo "== runtime figures (local Lambda Runtime API, local key server)"
figure_args=(--cold-starts "${cold_starts}" --invocations "${invocations}" --burst "${burst}"
    --concurrency "${concurrency}" --baseline "${noop}")
for function in "${functions[@]}"; do
    figure_args+=("${function}=${target_dir}/release/${function}" "functions/${function}/tests/fixtures/http-api-v2.json")
done
"${target_dir}/release/examples/lambda-figures" "${figure_args[@]}"

zipped_size() {
    # Lambda's custom runtimes want the executable named `bootstrap` at the zip's root.
    local binary="$1" dir="${work}/zip-$RANDOM"
    mkdir -p "${dir}"
    cp "${binary}" "${dir}/bootstrap"
    (cd "${dir}" && zip -q -9 bootstrap.zip bootstrap)
    stat -c %s "${dir}/bootstrap.zip"
}
mib() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1048576:.2f} MiB')" "$1"; }

echo
echo "== bootstrap sizes ($(uname -m), this profile; zip -9 as Lambda receives it)"
printf '%-18s %12s %12s\n' function raw zipped
for name in noop-function "${functions[@]}"; do
    if [[ "${name}" == noop-function ]]; then binary="${noop}"; label="noop (baseline)"; else binary="${target_dir}/release/${name}"; label="${name}"; fi
    printf '%-18s %12s %12s\n' "${label}" "$(mib "$(stat -c %s "${binary}")")" "$(mib "$(zipped_size "${binary}")")"
done

if [[ "${arm64}" == 1 ]]; then
    cargo_lambda="${CARGO_LAMBDA:-}"
    if [[ -z "${cargo_lambda}" && -x "${repo_root}/.venv/bin/cargo-lambda" ]]; then cargo_lambda="${repo_root}/.venv/bin/cargo-lambda"; fi
    if [[ -z "${cargo_lambda}" ]]; then cargo_lambda="$(command -v cargo-lambda || true)"; fi
    echo
    if [[ -z "${cargo_lambda}" ]]; then
        echo "== arm64 zip: skipped (no cargo-lambda; run scripts/setup-python-tools.sh)"
    else
        echo "== arm64 bootstrap.zip (cargo lambda build --release --arm64 --output-format zip)" >&2
        # cargo-lambda links with zig from the same venv.
        PATH="$(dirname "${cargo_lambda}"):${PATH}" "${cargo_lambda}" lambda build --release --arm64 \
            --output-format zip "${packages[@]}" >"${work}/arm64.log" 2>&1 \
            || { cat "${work}/arm64.log" >&2; exit 1; }
        echo "== arm64 (aarch64, what SAM deploys)"
        printf '%-18s %12s %12s\n' function raw zipped
        for function in "${functions[@]}"; do
            zip="${target_dir}/lambda/${function}/bootstrap.zip"
            raw="$(unzip -Z -t "${zip}" | awk '{print $3}')"
            printf '%-18s %12s %12s\n' "${function}" "$(mib "${raw}")" "$(mib "$(stat -c %s "${zip}")")"
        done
    fi
fi

if [[ "${bench}" == 1 ]]; then
    echo
    echo "== criterion, one run: bare verification (descope-auth) vs whole handler call (get-roles)" >&2
    touch "${work}/bench-start"
    cargo bench --quiet -p descope-auth -p get-roles >"${work}/bench.log" 2>&1 \
        || { cat "${work}/bench.log" >&2; exit 1; }
    echo "== criterion medians (this run)"
    python3 - "${target_dir}/criterion" "${work}/bench-start" <<'PY'
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
started = pathlib.Path(sys.argv[2]).stat().st_mtime
medians = {}
for estimates in sorted(root.glob("**/new/estimates.json")):
    if estimates.stat().st_mtime < started:
        continue  # left over from an earlier run: not comparable

    bench = json.loads((estimates.parent / "benchmark.json").read_text())
    medians[bench["full_id"]] = json.loads(estimates.read_text())["median"]["point_estimate"]
for name, ns in medians.items():
    print(f"{name:<70} {ns / 1000:>9.1f} µs")
others = [n for n in medians if not n.startswith("get_roles/")]
floor = [n for n in others if "bare" in n.lower()] or [n for n in others if "verif" in n.lower()]
handler = [n for n in medians if n.startswith("get_roles/handler")]
if floor and handler:
    base = min(medians[n] for n in floor)
    name = min(floor, key=medians.get)
    print(f"ratio: whole handler call / {name} = ×{medians[handler[0]] / base:.2f}")
    for n in medians:
        if n.startswith("get_roles/validate"):
            print(f"ratio: {n} / {name} = ×{medians[n] / base:.2f}")
else:
    print("ratio: no bare-verification bench found under target/criterion")
PY
fi
