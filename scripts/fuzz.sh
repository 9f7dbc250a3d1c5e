#!/usr/bin/env bash
# Fuzzes descope-auth's handling of untrusted input with libFuzzer and AddressSanitizer:
#   authorization_header  any Authorization header value, warm key cache
#   signed_token          any JOSE header and claims, correctly signed by a trusted key
#   key_set               any key-set body from the key endpoint
# Each target starts from the seeds in functions/descope-auth/fuzz/seeds/ and runs for a bounded
# time; a crash stops the run and leaves its input in functions/descope-auth/fuzz/artifacts/.
#
# Usage: scripts/fuzz.sh [--seconds N] [TARGET...]   (default: 60 s for each target)
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION="0.13.2"
seconds=60
targets=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        -*) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(authorization_header signed_token key_set)

if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
    echo "==> Installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install --quiet --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

cd functions/descope-auth
# cargo-fuzz needs nightly-only compiler flags (sanitizers, coverage instrumentation);
# RUSTC_BOOTSTRAP lets the stable toolchain accept them for this build only.
export RUSTC_BOOTSTRAP=1
for target in "${targets[@]}"; do
    corpus="fuzz/corpus/$target"
    mkdir -p "$corpus"
    for seed in "fuzz/seeds/$target"/*; do
        [[ -e $corpus/${seed##*/} ]] || cp "$seed" "$corpus/"
    done
    echo "==> $target for $seconds s"
    log="fuzz/artifacts/$target.log"
    mkdir -p fuzz/artifacts
    status=0
    cargo fuzz run --sanitizer address "$target" "$corpus" -- \
        -max_total_time="$seconds" -max_len=16384 -timeout=10 -print_final_stats=1 >"$log" 2>&1 ||
        status=$?
    grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY|Test unit written)|panicked' "$log" || true
    if [[ $status -ne 0 ]]; then
        tail -n 40 "$log" >&2
        echo "error: $target failed (exit $status); its log and any crashing input are in functions/descope-auth/fuzz/artifacts/" >&2
        exit 1
    fi
done
echo "==> No crash in ${#targets[@]} target(s), ${seconds} s each"
