#!/usr/bin/env bash
# Installs the Python-distributed build tools into a project-local virtualenv (.venv/):
#   cargo-lambda (brings the zig linker as the `ziglang` package), aws-sam-cli and cfn-lint, and
#   the test tools in scripts/requirements-publish-test.txt (moto's server, for the frontend
#   publisher's tests).
# Pinned so `sam build`, `sam validate --lint` and `cfn-lint` behave the same on every machine.
# Idempotent: a second run with the same pins is a no-op that returns in well under a second.
set -euo pipefail

CARGO_LAMBDA_VERSION="1.9.2"
AWS_SAM_CLI_VERSION="1.170.0"
CFN_LINT_VERSION="1.58.0"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${repo_root}/.venv"
marker="${venv}/.python-tools"
test_requirements="${repo_root}/scripts/requirements-publish-test.txt"
# The test pins are part of what the marker records, so changing one reinstalls.
test_pins="$(grep -v '^[[:space:]]*\(#\|$\)' "${test_requirements}" | tr '\n' ' ')"
wanted="cargo-lambda==${CARGO_LAMBDA_VERSION} aws-sam-cli==${AWS_SAM_CLI_VERSION} cfn-lint==${CFN_LINT_VERSION} ${test_pins% }"

tools_present() {
    [[ -x "${venv}/bin/cargo-lambda" && -x "${venv}/bin/sam" && -x "${venv}/bin/cfn-lint" &&
        -x "${venv}/bin/moto_server" ]]
}

if [[ -f "${marker}" ]] && [[ "$(cat "${marker}")" == "${wanted}" ]] && tools_present; then
    echo "Python tools already installed in ${venv} (${wanted})"
else
    python="${PYTHON:-python3}"
    if ! "${python}" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null; then
        echo "error: ${python} must be Python 3.9 or newer (set PYTHON=/path/to/python3)" >&2
        exit 1
    fi
    if [[ ! -x "${venv}/bin/python3" ]]; then
        echo "Creating ${venv}"
        "${python}" -m venv "${venv}"
    fi
    echo "Installing ${wanted}"
    "${venv}/bin/python3" -m pip install --quiet --disable-pip-version-check \
        "cargo-lambda==${CARGO_LAMBDA_VERSION}" \
        "aws-sam-cli==${AWS_SAM_CLI_VERSION}" \
        "cfn-lint==${CFN_LINT_VERSION}" \
        -r "${test_requirements}"
    # ziglang is what makes cross-compiling to arm64 work without a C cross toolchain.
    "${venv}/bin/python3" -c 'import ziglang' || {
        echo "error: ziglang did not install alongside cargo-lambda" >&2
        exit 1
    }
    printf '%s' "${wanted}" >"${marker}"
fi

cat <<MSG
To use the tools in this shell:
    source .venv/bin/activate
(cargo-lambda looks for zig through the first python3 on PATH, so keep .venv/bin first.)
MSG
