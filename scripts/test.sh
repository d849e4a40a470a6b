#!/usr/bin/env bash
# npm test: install what is missing, then run the whole suite once.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node_modules/.bin/vitest run "$@"
