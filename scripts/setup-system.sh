#!/usr/bin/env bash
# Installs the Debian packages Gatehouse features need (the sandbox container tier and its hostile tests).
# Idempotent; run as root (or with sudo) once per machine. `.ci/run` runs it too.
set -euo pipefail
need=()
# Sandbox container tier: bubblewrap (namespaces), util-linux (setpriv uid switch, prlimit fallback), gcc +
# libseccomp-dev (the seccomp filter is compiled on first use, see docs/sandbox.md), procps (ps).
# The hostile corpus (test/hostile) attacks the container with python3 (raw syscalls via ctypes), strace and gdb.
# Browser tests (console, OIDC sign-in) drive Debian's chromium through playwright-core; no browser is downloaded.
for pkg in bubblewrap libseccomp-dev util-linux gcc libc6-dev procps python3 strace gdb chromium fonts-liberation; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
