#!/bin/bash
# First start (an empty /var/lib/mysql): create the system tables, set the root password,
# create the database and the user; then run the server as user mysql on every interface.
set -euo pipefail
: "${MARIADB_ROOT_PASSWORD:=${MYSQL_ROOT_PASSWORD:-}}"
: "${MARIADB_DATABASE:=${MYSQL_DATABASE:-}}"
: "${MARIADB_USER:=${MYSQL_USER:-}}"
: "${MARIADB_PASSWORD:=${MYSQL_PASSWORD:-}}"
DATADIR=/var/lib/mysql

sql_string() {  # a value as an SQL string literal: 'it''s'
    printf "'%s'" "$(printf '%s' "$1" | sed -e "s/\\\\/\\\\\\\\/g" -e "s/'/''/g")"
}

if [ "${1:-}" = mariadbd ] && [ ! -d "$DATADIR/mysql" ]; then
    if [ -z "$MARIADB_ROOT_PASSWORD" ]; then
        echo "error: set MARIADB_ROOT_PASSWORD (the database would be open to anyone)" >&2
        exit 1
    fi
    chown mysql:mysql "$DATADIR" /run/mysqld
    mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db \
        --auth-root-authentication-method=normal >/dev/null
    mariadbd --user=mysql --datadir="$DATADIR" --skip-networking \
        --socket=/run/mysqld/init.sock &
    pid=$!
    for _ in $(seq 60); do  # bounded: the server starts in about a second
        mariadb-admin --socket=/run/mysqld/init.sock ping >/dev/null 2>&1 && break
        sleep 1
    done
    root=$(sql_string "$MARIADB_ROOT_PASSWORD")
    {
        # mariadb-install-db also made root@127.0.0.1, root@::1, root@HOSTNAME: one root@'%'
        echo "DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1', 'root'@'$(hostname)';"
        echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $root;"
        echo "CREATE USER 'root'@'%' IDENTIFIED BY $root;"
        echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
        if [ -n "$MARIADB_DATABASE" ]; then
            echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"
        fi
        if [ -n "$MARIADB_USER" ] && [ -n "$MARIADB_PASSWORD" ]; then
            echo "CREATE USER '$MARIADB_USER'@'%' IDENTIFIED BY $(sql_string "$MARIADB_PASSWORD");"
            if [ -n "$MARIADB_DATABASE" ]; then
                echo "GRANT ALL ON \`$MARIADB_DATABASE\`.* TO '$MARIADB_USER'@'%';"
            fi
        fi
    } | mariadb --socket=/run/mysqld/init.sock --user=root
    kill "$pid"
    wait "$pid" || true
    echo "database initialised: ${MARIADB_DATABASE:-no database}, user ${MARIADB_USER:-root only}"
fi

if [ "${1:-}" = mariadbd ]; then
    chown mysql:mysql "$DATADIR" /run/mysqld
    shift
    exec mariadbd --user=mysql --datadir="$DATADIR" --bind-address=0.0.0.0 --skip-name-resolve "$@"
fi
exec "$@"
