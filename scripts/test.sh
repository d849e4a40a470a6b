#!/usr/bin/env bash
# npm test: install what is missing, then run the whole suite once.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The incident screen's bundle (dist/web, git-ignored): esbuild, well under a second; skipped when up to date.
node_modules/.bin/tsx scripts/build-web.ts
# Test data (SQLite files, bare repositories) lives in memory when the machine offers a tmpfs:
# thousands of small fsyncs on a virtual disk otherwise dominate the run.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
exec node_modules/.bin/vitest run "$@"
