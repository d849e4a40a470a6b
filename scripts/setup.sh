#!/usr/bin/env bash
# Installs what Backtrack needs on a fresh Debian machine with Node 20: the system packages
# nodegit compiles against, Debian's chromium for the browser test (skipped with --no-browser,
# as `npm start` does), and node_modules. A built nodegit binary is kept in a cache directory so
# later installs (and CI on the same machine) skip the ~10 minute compile.
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_BROWSER=1
for arg in "$@"; do
  case "$arg" in
    --no-browser) WITH_BROWSER=0 ;;
    *) printf 'setup: unknown option %s (known: --no-browser)\n' "$arg" >&2; exit 2 ;;
  esac
done

CACHE_DIR="${BACKTRACK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/backtrack}"
NODEGIT_CACHE="$CACHE_DIR/nodegit"
STAMP=node_modules/.backtrack-install-stamp

say() { printf 'setup: %s\n' "$*" >&2; }

install_system_packages() {
  local missing=()
  command -v git >/dev/null 2>&1 || missing+=(git)
  command -v krb5-config >/dev/null 2>&1 || missing+=(libkrb5-dev)
  dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  # The test kit runs every test on PostgreSQL too, and the multi-instance tests relay events through Redis:
  # a throwaway cluster and redis-server on 127.0.0.1, started and stopped by the tests themselves.
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  # The GraphiQL browser test drives Debian's chromium through playwright-core (never a downloaded browser).
  if [ "$WITH_BROWSER" = 1 ]; then command -v chromium >/dev/null 2>&1 || missing+=(chromium); fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    say "missing system packages: ${missing[*]}"
    say "run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
}

lock_hash() { sha256sum package-lock.json package.json | sha256sum | cut -c1-16; }

nodegit_package_name() {
  local version abi
  version=$(node -p "require('./package.json').dependencies.nodegit")
  abi=$(node -p 'process.versions.modules')
  echo "nodegit-v${version}-node-v${abi}-linux-$(node -p 'process.arch').tar.gz"
}

modules_are_current() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(lock_hash)" ] &&
    node -e "require('nodegit'); require('better-sqlite3')(':memory:').close()" >/dev/null 2>&1
}

cache_nodegit_binary() {
  local tarball="$NODEGIT_CACHE/$(nodegit_package_name)"
  [ -f "$tarball" ] && return 0
  [ -f node_modules/nodegit/build/Release/nodegit.node ] || return 0
  mkdir -p "$NODEGIT_CACHE"
  # node-pre-gyp extracts with strip=1 into build/Release/, so the archive holds Release/nodegit.node.
  tar -czf "$tarball.tmp" -C node_modules/nodegit/build Release/nodegit.node && mv "$tarball.tmp" "$tarball"
  say "cached the nodegit binary in $tarball"
}

install_node_modules() {
  if modules_are_current; then return 0; fi
  if [ -L node_modules ]; then
    # A checkout sharing another one's install (a git worktree): npm ci empties node_modules through
    # the link, breaking every checkout that shares it. Its owner installs it.
    if node -e "require('nodegit'); require('better-sqlite3')(':memory:').close()" >/dev/null 2>&1; then
      say "node_modules links to $(readlink node_modules), installed for another lockfile: using it as it is"
      return 0
    fi
    say "node_modules links to $(readlink node_modules), which cannot load nodegit and better-sqlite3: run setup where it lives"
    exit 1
  fi
  if [ -f "$NODEGIT_CACHE/$(nodegit_package_name)" ]; then
    say "using the cached nodegit binary from $NODEGIT_CACHE"
    export npm_config_nodegit_binary_host_mirror="file://$NODEGIT_CACHE/"
  else
    say "compiling nodegit from source (about 10 minutes, once per machine)"
  fi
  export npm_config_jobs="${npm_config_jobs:-max}" JOBS="${JOBS:-max}"
  npm ci --no-audit --no-fund --loglevel=error
  node -e "require('nodegit'); require('better-sqlite3')(':memory:').close()"
  cache_nodegit_binary
  lock_hash > "$STAMP"
}

install_system_packages
install_node_modules
cache_nodegit_binary
