#!/usr/bin/env bash
# Installs what this checkout needs and a fresh Debian 12 machine lacks: Debian
# packages (only the missing ones), the mediasoup worker (built offline and
# cached outside the checkout, see scripts/mediasoup-worker/build.sh) and the
# npm packages. Safe to run again: each step is skipped when already done, so
# `npm start` and `npm test` call it first.
#
# Env: SETUP_SKIP_APT=1 (never call apt-get), GRIDROOM_CACHE_DIR (worker cache).
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[setup %s] %s\n' "$(date +%T)" "$*" >&2; }

# Build the worker, run the server, run the browser tests (chromium, ffmpeg).
apt_packages=(
  build-essential pkg-config meson ninja-build patch
  libssl-dev libuv1-dev libsrtp2-dev flatbuffers-compiler libflatbuffers-dev libabsl-dev
  chromium ffmpeg
  # Sealed agreement PDFs: CJK + Latin TrueType fonts (pdf-lib cannot subset .ttc), pdfsig/pdftotext and certutil for the tests.
  fonts-droid-fallback fonts-dejavu-core poppler-utils libnss3-tools
  # Expert presence: the Redis restart test starts its own redis-server; bench:presence runs redis-benchmark.
  redis-server redis-tools
)
if [ -z "${SETUP_SKIP_APT:-}" ]; then
  missing=()
  for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    log "apt-get install ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# The exact version pinned in package.json (mediasoup's shims are written for it).
mediasoup_version=$(sed -n 's/^ *"mediasoup": "\([0-9.]*\)".*/\1/p' package.json)
[ -n "$mediasoup_version" ] || {
  log 'package.json must pin "mediasoup" to an exact version'
  exit 1
}
worker_bin=$(bash scripts/mediasoup-worker/build.sh "$mediasoup_version")

# npm ci only when the lock file changed since the last install: a no-op run is instant.
lock_hash=$(sha256sum package-lock.json | cut -c1-16)
stamp=node_modules/.gridroom-installed
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ]; then
  log 'npm ci'
  # With MEDIASOUP_WORKER_BIN set, mediasoup's postinstall skips its download.
  MEDIASOUP_WORKER_BIN=$worker_bin npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$stamp"
fi

# Put the worker where mediasoup looks by default, so nothing is needed at run time.
target=node_modules/mediasoup/worker/out/Release/mediasoup-worker
if ! cmp -s "$worker_bin" "$target"; then
  install -D -m 0755 "$worker_bin" "$target"
  log "installed worker at $target"
fi
