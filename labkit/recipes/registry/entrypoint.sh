#!/bin/sh
# Start the registry; turn on htpasswd auth when REGISTRY_USER/REGISTRY_PASSWORD are given.
set -e
if [ -n "$REGISTRY_USER" ] && [ -n "$REGISTRY_PASSWORD" ]; then
    htpasswd -Bbc /etc/docker/registry/htpasswd "$REGISTRY_USER" "$REGISTRY_PASSWORD" 2>/dev/null
    export REGISTRY_AUTH=htpasswd
    export REGISTRY_AUTH_HTPASSWD_REALM="Docker++ course registry"
    export REGISTRY_AUTH_HTPASSWD_PATH=/etc/docker/registry/htpasswd
fi
exec docker-registry serve "$@"
