#!/usr/bin/env bash
# Gatehouse beside Portkey's open-source gateway and direct calls, interleaved in one run (bench/gateway-bench.ts).
# Installs Portkey's published npm package, pinned, in a scratch folder outside the repo (npm registry only);
# PORTKEY_DIR overrides the folder, GATEWAY_BENCH_SECONDS the seconds per row.
set -euo pipefail
PORTKEY_VERSION=1.15.2
dir="${PORTKEY_DIR:-${TMPDIR:-/tmp}/gatehouse-portkey-$PORTKEY_VERSION}"
entry="$dir/node_modules/@portkey-ai/gateway/build/start-server.js"
if [ ! -f "$entry" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm init -y >/dev/null && npm install --no-audit --no-fund "@portkey-ai/gateway@$PORTKEY_VERSION")
fi
cd "$(dirname "$0")/.."
echo "Portkey @portkey-ai/gateway@$PORTKEY_VERSION from $dir"
GATEWAY_BENCH_PORTKEY="$entry" exec npx tsx bench/gateway-bench.ts
