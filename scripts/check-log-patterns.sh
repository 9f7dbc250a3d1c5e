#!/usr/bin/env bash
# Holds template.yaml's metric-filter patterns (the alarms' and the dashboard's) against log lines
# the compiled functions really write: first the binary tests that record them (an API function
# under api_startup::serve at a cold start while the key endpoint fails, then while it answers;
# the publisher failing, then succeeding), then scripts/check-log-patterns.py evaluates every
# pattern on those lines. A pattern must select lines of the situation it counts and none of the
# other.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-python-tools.sh >/dev/null
export PATH="$PWD/.venv/bin:$PATH"

# The binary tests write into Cargo's directory for integration tests' files.
target=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
samples="$target/tmp/log-samples"
rm -rf "$samples"
cargo test --quiet --locked -p api-startup -p frontend-publisher --test binary -- \
    log_lines_the_alarms_count
python scripts/check-log-patterns.py "$samples"
