#!/usr/bin/env bash
# Builds the Gatehouse container image with podman: prepares a context (tracked files, compiled dist/, production
# node_modules) and builds Containerfile on Node 20 bookworm-slim. With no registry reachable it first makes a
# local base image: a Debian bookworm minbase from the Debian mirror (debootstrap) plus this machine's Node 20.
# Usage: scripts/build-image.sh [tag]   (default gatehouse:dev). Needs podman; debootstrap only when offline.
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-gatehouse:dev}"
# runc copes with cgroup v1/hybrid hosts where crun refuses; limits at or under common hard limits (raising them
# needs privileges a nested or hardened host may not grant).
podman_opts=(--ulimit nofile=16384:16384 --ulimit nproc=4096:4096)
if command -v runc >/dev/null; then podman_opts+=(--runtime runc); fi
base="docker.io/library/node:20-bookworm-slim"
local_base="localhost/gatehouse-base:node20-bookworm"

if ! podman image exists "$base" && ! podman pull -q "$base" >/dev/null 2>&1; then
  echo "build-image: $base is not reachable; using the local base $local_base" >&2
  base="$local_base"
  if ! podman image exists "$local_base"; then
    node_bin="$(command -v node)"
    "$node_bin" -e 'process.exit(Number(process.versions.node.split(".")[0]) === 20 ? 0 : 1)' \
      || { echo "build-image: the local base needs Node 20 on this machine" >&2; exit 1; }
    rootfs="$(mktemp -d)"
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs/root" http://deb.debian.org/debian >/dev/null
    cp "$node_bin" "$rootfs/root/usr/local/bin/node"
    rm -rf "$rootfs/root/var/cache/apt/archives/"*.deb "$rootfs/root/var/lib/apt/lists/"*
    tar -C "$rootfs/root" -c . | podman import --change 'CMD ["node"]' - "$local_base" >/dev/null
  fi
fi

[ -f dist/src/cli/cli-bundle.js ] || npm run build >/dev/null
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx" ${rootfs:+"$rootfs"}' EXIT
git ls-files -z | grep -zv '^test/\|^bench/\|^eval/\|\.test\.ts$' | xargs -0 cp --parents -t "$ctx"
cp -a dist "$ctx/dist"
rm -rf "$ctx/dist/test" "$ctx/dist/bench" "$ctx/dist/eval"
find "$ctx/dist" -name '*.test.js' -delete
# Production dependencies only; better-sqlite3 compiles from source for this Node (prebuilt binaries are not fetched).
(cd "$ctx" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null && npm rebuild better-sqlite3 >/dev/null)
podman build -q --format docker "${podman_opts[@]}" -t "$tag" --build-arg "BASE=$base" -f Containerfile "$ctx"
echo "built $tag on $base"
