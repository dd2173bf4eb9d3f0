#!/usr/bin/env bash
# Prepares a fresh Debian machine for the README's test command
#   bash scripts/prepare-test-machine.sh && npm ci && npm test
# (which .ci/run runs as written): installs what the tests need where it is missing and makes
# sure Postgres and Redis answer on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; else SUDO=; fi
need_apt=()
command -v psql >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1 || need_apt+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v nginx >/dev/null 2>&1 || need_apt+=(nginx-light)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v unshare >/dev/null 2>&1 || need_apt+=(util-linux)
if ((${#need_apt[@]})); then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${need_apt[@]}"
fi

# A freshly installed Debian cluster uses peer/scram auth; the tests expect trust on 127.0.0.1
# (as on the project's machines). Only touch a cluster that does not already trust it.
pg_version="$(ls /etc/postgresql | sort -V | tail -n1)"
pg_hba="/etc/postgresql/${pg_version}/main/pg_hba.conf"
if ! grep -Eq '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$pg_hba"; then
  sed -i -e '1i host all all ::1/128 trust' -e '1i host all all 127.0.0.1/32 trust' "$pg_hba"
  pg_ctlcluster --skip-systemctl-redirect "$pg_version" main reload 2>/dev/null || true
fi

# Postgres on 127.0.0.1:5432 with trust auth, Redis on 127.0.0.1:6379.
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432
redis-cli -h 127.0.0.1 -p 6379 ping
