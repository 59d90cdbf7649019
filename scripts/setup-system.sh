#!/usr/bin/env bash
# Installs the Debian packages Gatehouse features need (sandbox container tier, console tests).
# Idempotent; run as root (or with sudo) once per machine. `.ci/run` runs it too.
set -euo pipefail
need=()
for pkg in bubblewrap libseccomp-dev util-linux; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
