#!/bin/sh
# Stop the throwaway MariaDB of scripts/start-mariadb.sh, wait for its process to exit, delete its files.
DB_DIR=${DB_DIR:-${TMPDIR:-/tmp}/mlcourse-db-${DB_PORT:-33306}}
[ -d "$DB_DIR" ] || exit 0
pid=$(cat "$DB_DIR/mysqld.pid" 2>/dev/null || true)
mariadb-admin --no-defaults --socket="$DB_DIR/mysqld.sock" -uroot shutdown 2>/dev/null || true
i=0
while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do  # `shutdown` returns before the process exits
  if [ $i -ge 60 ]; then
    echo "mariadb ($pid) did not stop in 30 s; killing it" >&2; kill -9 "$pid"; sleep 0.5; break
  fi
  i=$((i+1)); sleep 0.5
done
rm -rf "$DB_DIR"
echo "mariadb stopped; $DB_DIR removed"
