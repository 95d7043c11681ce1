#!/bin/sh
# Smoke test through the cluster's Ingress (127.0.0.1:8000; the host name picks the app):
# post a message, then read the conversation six times. Reads go to every replica in turn,
# and every one must show the message.
# Usage: sh smoke-test.sh HOST
set -eu
host=$1
url=http://127.0.0.1:8000
message="smoke test of ${CI_COMMIT_SHORT_SHA:-a local build}"
# The Ingress may need a few seconds to learn a new host name: bounded retries (silent).
if ! curl -s --fail --retry 15 --retry-all-errors --retry-delay 1 -H "Host: $host" \
    "$url/healthz" > /dev/null; then
  echo "FAILED: $host does not answer through the Ingress"
  exit 1
fi
echo "$host answers through the Ingress"
# Wait (at most 10 s) until two replicas answer, so that the reads below reach both.
seen=""
for try in $(seq 20); do
  replica=$(curl -s --fail -H "Host: $host" "$url/" | sed -n 's/.*served by \([^<]*\)<.*/\1/p')
  case " $seen " in *" $replica "*) ;; *) seen="$seen $replica" ;; esac
  [ "$(echo $seen | wc -w)" -ge 2 ] && break
  sleep 0.5
done
curl -sS --fail -H "Host: $host" --data-urlencode nick=ci --data-urlencode "text=$message" \
  "$url/messages"
for read in 1 2 3 4 5 6; do
  if ! curl -sS --fail -H "Host: $host" "$url/messages" | grep -qxF "ci: $message"; then
    echo "FAILED: a message posted through the Ingress is missing from a later read"
    echo "(the replicas do not share the conversation)"
    exit 1
  fi
done
echo "smoke test passed: $host shows the same conversation on every read"
