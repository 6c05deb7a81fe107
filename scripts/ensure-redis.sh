#!/usr/bin/env bash
# Makes sure `redis-server` is on PATH for the @apptoken/redis tests (they start their own
# server on a free loopback port). Installs Debian's package when it is missing; does nothing
# when it is already there. Quiet unless something goes wrong.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-redis: redis-server is missing and apt-get is not available; install Redis (>= 6) so that redis-server is on PATH" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "ensure-redis: redis-server is missing; run as root or install it: apt-get install -y redis-server" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends redis-server; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-redis: could not install redis-server" >&2
  exit 1
fi
# The package may start a system service; the tests never use it, so stop it where possible.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  $sudo systemctl stop redis-server >/dev/null 2>&1 || true
elif command -v service >/dev/null 2>&1; then
  $sudo service redis-server stop >/dev/null 2>&1 || true
fi
command -v redis-server >/dev/null 2>&1 || { echo "ensure-redis: redis-server still not on PATH after install" >&2; exit 1; }
