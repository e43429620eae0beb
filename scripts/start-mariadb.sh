#!/bin/sh
# Throwaway MariaDB for the concurrency tests (`make test` starts and stops it).
# Data, socket and logs under $DB_DIR; TCP on 127.0.0.1:$DB_PORT only; database, user and password
# "mlcourse" (the user has ALL ON *.*: pytest-django creates and drops test_mlcourse*). Idempotent: a server
# already answering on this DB_DIR's socket is reused.
set -eu
DB_DIR=${DB_DIR:-${TMPDIR:-/tmp}/mlcourse-db-${DB_PORT:-33306}}
DB_PORT=${DB_PORT:-33306}
DB_NAME=${DB_NAME:-mlcourse}; DB_USER=${DB_USER:-mlcourse}; DB_PASSWORD=${DB_PASSWORD:-mlcourse}
SOCK=$DB_DIR/mysqld.sock
MARIADBD=${MARIADBD:-/usr/sbin/mariadbd}
ping_db() { mariadb-admin --no-defaults --socket="$SOCK" -uroot ping >/dev/null 2>&1; }

if ping_db; then
  echo "mariadb already running ($SOCK)"
else
  if [ ! -x "$MARIADBD" ]; then echo "no $MARIADBD: run 'make apt-deps' (installs mariadb-server)" >&2; exit 1; fi
  mkdir -p "$DB_DIR"
  [ -d "$DB_DIR/data/mysql" ] || mariadb-install-db --no-defaults --user="$(id -un)" \
    --datadir="$DB_DIR/data" --skip-test-db >"$DB_DIR/install.log" 2>&1 \
    || { echo "mariadb-install-db failed; see $DB_DIR/install.log" >&2; tail -5 "$DB_DIR/install.log" >&2; exit 1; }
  # --no-defaults must come first, or /etc/mysql/my.cnf applies (socket in /run/mysqld, port 3306).
  "$MARIADBD" --no-defaults --user="$(id -un)" --datadir="$DB_DIR/data" \
    --socket="$SOCK" --port="$DB_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
    --pid-file="$DB_DIR/mysqld.pid" --log-error="$DB_DIR/error.log" \
    --innodb-buffer-pool-size=64M --innodb-buffer-pool-dump-at-shutdown=0 --innodb-fast-shutdown=2 \
    --innodb-flush-log-at-trx-commit=2 --max-connections=200 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci >/dev/null 2>&1 &
  pid=$!; i=0
  until ping_db; do
    if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 60 ]; then
      echo "mariadb failed to start; see $DB_DIR/error.log:" >&2; tail -5 "$DB_DIR/error.log" >&2 || true
      kill "$pid" 2>/dev/null || true
      exit 1
    fi
    i=$((i+1)); sleep 0.5
  done
fi
mariadb --no-defaults --socket="$SOCK" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'127.0.0.1', '$DB_USER'@'localhost';
SQL
echo "mariadb ready on 127.0.0.1:$DB_PORT (socket $SOCK), database $DB_NAME"
