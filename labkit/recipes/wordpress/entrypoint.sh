#!/bin/bash
# Wait (bounded) for the database, install the site if it is not installed (or set its
# title), then run Apache in the foreground as the container's main process, so that it
# gets the container's stop signal.
set -uo pipefail
if [ "${1:-}" = apache2-foreground ]; then
    for attempt in $(seq "${WORDPRESS_DB_WAIT:-120}"); do
        php /usr/local/share/wordpress-install.php
        case $? in
            0) break ;;
            1) sleep 1 ;;
            *) exit 1 ;;
        esac
        if [ "$attempt" = "${WORDPRESS_DB_WAIT:-120}" ]; then
            echo "error: no database at ${WORDPRESS_DB_HOST:-mysql}" >&2
            exit 1
        fi
    done
    set +u  # Debian's envvars reads variables that may be unset
    . /etc/apache2/envvars
    mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR"
    rm -f "$APACHE_PID_FILE"
    exec apache2 -D FOREGROUND
fi
exec "$@"
