#!/usr/bin/env bash
# npm start: install what is missing, then run the server (migrations and the demo seed run at start).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-browser
# The incident screen's bundle (dist/web, git-ignored): esbuild, well under a second; skipped when up to date.
node_modules/.bin/tsx scripts/build-web.ts
exec node_modules/.bin/tsx src/main.ts
