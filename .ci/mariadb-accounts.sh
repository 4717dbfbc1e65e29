#!/usr/bin/env bash
# Make sure MariaDB answers, then (re)create the three test accounts through the
# unix socket as root. Idempotent: the server's data outlives a run.
# Prints the export lines for the NOVELKIT_TEST_MYSQL_* variables on stdout.
set -euo pipefail

log() { echo "[mariadb] $*" >&2; }

if ! mariadb-admin ping >/dev/null 2>&1; then
  if [ ! -x /usr/sbin/mariadbd ]; then
    log "installing mariadb-server"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >&2
  fi
  log "starting mariadbd"
  install -d -o mysql -g mysql /run/mysqld
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql >&2
  for _ in $(seq 1 60); do
    mariadb-admin ping >/dev/null 2>&1 && break
    sleep 1
  done
  mariadb-admin ping >/dev/null 2>&1 || { log "MariaDB did not answer within 60 s"; exit 1; }
fi

# Test passwords, not secrets; the read-write one has every character that must be
# URL-encoded, so the whole suite exercises the encoding.
RW_PASSWORD='p@ss:w/rd%X9'
RO_PASSWORD='ro-Pass_42'
ADMIN_PASSWORD='adm1n-Pass_42'

mariadb --protocol=socket -u root <<SQL
CREATE OR REPLACE USER 'nk_rw'@'127.0.0.1' IDENTIFIED BY '${RW_PASSWORD}';
CREATE OR REPLACE USER 'nk_ro'@'127.0.0.1' IDENTIFIED BY '${RO_PASSWORD}';
CREATE OR REPLACE USER 'nk_admin'@'127.0.0.1' IDENTIFIED BY '${ADMIN_PASSWORD}';
GRANT ALL PRIVILEGES ON \`nktest\_%\`.* TO 'nk_rw'@'127.0.0.1';
GRANT SELECT ON \`nktest\_%\`.* TO 'nk_ro'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`nktest\_%\`.* TO 'nk_admin'@'127.0.0.1';
GRANT PROCESS, CONNECTION ADMIN ON *.* TO 'nk_admin'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL

python3 - "$RW_PASSWORD" "$RO_PASSWORD" "$ADMIN_PASSWORD" <<'PY'
import sys
from urllib.parse import quote
rw, ro, admin = (quote(p, safe="") for p in sys.argv[1:4])
base = "mysql+asyncmy://{}:{}@127.0.0.1:3306/"
print(f"export NOVELKIT_TEST_MYSQL_URL='{base.format('nk_rw', rw)}'")
print(f"export NOVELKIT_TEST_MYSQL_RO_URL='{base.format('nk_ro', ro)}'")
print(f"export NOVELKIT_TEST_MYSQL_ADMIN_URL='{base.format('nk_admin', admin)}'")
PY
