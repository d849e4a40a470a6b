#!/usr/bin/env bash
# npm start: install what is missing, then run the server (migrations and the demo seed run at start).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-browser
exec node_modules/.bin/tsx src/main.ts
