#!/usr/bin/env bash
# Frontend gates: clean install from the lock file, lint, type check, unit tests, production build.
set -euo pipefail

cd "$(dirname "$0")/../frontend"
npm ci --no-audit --no-fund
npm run lint
npm run typecheck
npm test
npm run build
