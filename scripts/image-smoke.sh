#!/usr/bin/env bash
# Starts the image built by scripts/build-image.sh the way production runs it (non-root, read-only root filesystem,
# GATEHOUSE_HOME on a volume) on a loopback port, waits for /healthz, lists apps through the API, then removes it.
# Usage: scripts/image-smoke.sh [tag]
set -euo pipefail
tag="${1:-gatehouse:dev}"
opts=(--ulimit nofile=16384:16384 --ulimit nproc=4096:4096)
if command -v runc >/dev/null; then opts+=(--runtime runc); fi
port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
name="gatehouse-smoke-$$"
token="smoke-admin-token-$(node -e "console.log(require('crypto').randomBytes(12).toString('hex'))")"
podman volume create "$name" >/dev/null
cleanup() { podman rm -f "$name" >/dev/null 2>&1 || true; podman volume rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
start=$(date +%s%N)
podman run -d --name "$name" --health-interval disable "${opts[@]}" --read-only --tmpfs /tmp -v "$name:/var/lib/gatehouse" \
  -e GATEHOUSE_ADMIN_TOKEN="$token" -p "127.0.0.1:$port:8080" "$tag" >/dev/null
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/tmp/$name.health 2>/dev/null; then break; fi
  sleep 0.5
done
ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
cat /tmp/$name.health && echo
rm -f /tmp/$name.health
apps="$(curl -fsS -H "authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/apps")"
echo "apps: $(echo "$apps" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const j=JSON.parse(s);const a=j.apps??j.items??j;console.log(Array.isArray(a)?a.map(x=>x.name??x.app).join(', '):s.slice(0,200))})")"
echo "user in container: $(podman exec "$name" id -u)"
# The image's HEALTHCHECK, run once by hand (podman schedules it through systemd timers, absent on some hosts).
podman healthcheck run "$name" && echo "image healthcheck: healthy"
if podman exec "$name" touch /opt/gatehouse/x 2>/dev/null; then echo "root filesystem is writable" >&2; exit 1; fi
echo "ready in ${ready_ms} ms; root filesystem read-only; image $(podman image inspect "$tag" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}')"
