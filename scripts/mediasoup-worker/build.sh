#!/usr/bin/env bash
# Builds mediasoup-worker from the mediasoup npm tarball against Debian
# libraries, with nothing downloaded but the tarball itself, and prints the
# path of the binary. A no-op (prints the cached path) when a worker built from
# the same mediasoup version and the same recipe is already cached.
#
# Why: mediasoup's postinstall downloads a prebuilt worker from GitHub, then
# falls back to a pip-installed meson whose subprojects are downloaded too. The
# machines Gridroom runs on (and government intranets) reach only the npm
# registry and Debian's archive.
#
# How: every meson wrap subproject is replaced by a shim in shims/ backed by a
# Debian package (libuv1-dev, libssl-dev, libsrtp2-dev behind a header-only
# libsrtp3-API adapter, libflatbuffers-dev + flatc, libabsl-dev, and a
# std::unordered_map stand-in for unordered_dense); `--wrap-mode=nodownload`
# guarantees meson fetches nothing. patches/ holds three source patches, each
# explained in its own header.
#
# Usage: build.sh VERSION        Env: GRIDROOM_CACHE_DIR (default ~/.cache/gridroom)
set -euo pipefail

version=${1:?usage: build.sh MEDIASOUP_VERSION}
here=$(cd "$(dirname "$0")" && pwd)
log() { printf '[mediasoup-worker %s] %s\n' "$(date +%T)" "$*" >&2; }

# The cache key covers every file of the recipe, so changing a shim or a patch
# rebuilds; a second CI run on the same machine reuses the binary.
recipe_hash=$(cd "$here" && find . -type f ! -name '*.md' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
cache_dir=${GRIDROOM_CACHE_DIR:-$HOME/.cache/gridroom}/mediasoup-worker/$version-$recipe_hash
worker_bin=$cache_dir/mediasoup-worker

if [ -x "$worker_bin" ]; then
  log "using cached $worker_bin"
  echo "$worker_bin"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
started=$(date +%s)

log "npm pack mediasoup@$version (no install scripts run)"
(cd "$tmp" && npm pack "mediasoup@$version" --silent >/dev/null)
tar xzf "$tmp/mediasoup-$version.tgz" -C "$tmp"
worker_src=$tmp/package/worker

# Meson uses an existing subproject directory as it is, so pre-creating each
# wrap's `directory` with a shim keeps it from downloading anything.
for wrap in "$worker_src"/subprojects/*.wrap; do
  name=$(basename "$wrap" .wrap)
  case "$name" in
    libuv | openssl | libsrtp3 | flatbuffers | abseil-cpp) shim=$name ;;
    unordered-dense) shim=unordered_dense ;;
    catch2 | wingetopt) continue ;; # worker unit tests / Windows only
    *)
      log "ERROR: wrap '$name' has no shim (the shims are written for mediasoup 3.27.x)"
      exit 1
      ;;
  esac
  dir=$(sed -n 's/^directory *= *//p' "$wrap" | tr -d '[:space:]')
  dir=${dir:-$name}
  rm -rf "$worker_src/subprojects/$dir"
  mkdir -p "$worker_src/subprojects/$dir"
  cp -R "$here/shims/$shim/." "$worker_src/subprojects/$dir/"
  cp "$here/shims/empty.c" "$worker_src/subprojects/$dir/empty.c"
done

for patch_file in "$here"/patches/*.patch; do
  log "patch $(basename "$patch_file")"
  patch -s -p1 -d "$worker_src" <"$patch_file"
done

log "meson setup + ninja (about 4 minutes on 2 cores)"
(cd "$worker_src" && meson setup --wrap-mode=nodownload --buildtype=release -Db_ndebug=true build >"$tmp/meson.log" 2>&1) ||
  {
    tail -40 "$tmp/meson.log" >&2
    exit 1
  }
# The libwebrtc target includes the generated FlatBuffers headers without
# depending on their generator, so a parallel build can race it: generate first.
ninja -C "$worker_src/build" fbs/FBS/worker.h >"$tmp/ninja.log" 2>&1 || {
  tail -40 "$tmp/ninja.log" >&2
  exit 1
}
ninja -C "$worker_src/build" mediasoup-worker >>"$tmp/ninja.log" 2>&1 || {
  grep -B2 -A8 error "$tmp/ninja.log" | head -80 >&2
  exit 1
}

mkdir -p "$cache_dir"
install -m 0755 "$worker_src/build/mediasoup-worker" "$worker_bin.partial"
mv "$worker_bin.partial" "$worker_bin" # atomic: a killed build never leaves a half binary
log "built $worker_bin in $(($(date +%s) - started)) s"
echo "$worker_bin"
