#!/usr/bin/env sh
# Loads this KV tree into Consul: every resource file becomes the Consul key its path names
# (gloo/gateway.solo.io/v1/VirtualService/gloo-system/default.yaml -> that key without .yaml).
# Uses the consul CLI when it is on PATH (it reads CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN and the
# rest itself), otherwise curl on Consul's HTTP API with CONSUL_HTTP_ADDR (default
# 127.0.0.1:8500), CONSUL_HTTP_TOKEN or CONSUL_HTTP_TOKEN_FILE, CONSUL_HTTP_SSL and CONSUL_CACERT.
#   examples/consul-kv/load.sh            load every resource
#   examples/consul-kv/load.sh --dry-run  print the keys only
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
dry_run=false
[ "${1:-}" = "--dry-run" ] && dry_run=true

if [ -z "${CONSUL_HTTP_TOKEN:-}" ] && [ -n "${CONSUL_HTTP_TOKEN_FILE:-}" ]; then
  CONSUL_HTTP_TOKEN="$(tr -d '[:space:]' < "$CONSUL_HTTP_TOKEN_FILE")"
fi
address="${CONSUL_HTTP_ADDR:-127.0.0.1:8500}"
case "$address" in
  http://*|https://*) ;;
  *) if [ "${CONSUL_HTTP_SSL:-false}" = "true" ]; then address="https://$address"; else address="http://$address"; fi ;;
esac

count=0
cd "$here"
for file in $(find gloo -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | sort); do
  key="${file%.*}"
  count=$((count + 1))
  if $dry_run; then
    echo "$key"
  elif command -v consul >/dev/null 2>&1; then
    consul kv put "$key" "@$file" >/dev/null
    echo "put $key"
  else
    set -- -sS --fail-with-body -X PUT --data-binary "@$file" "$address/v1/kv/$key"
    [ -n "${CONSUL_HTTP_TOKEN:-}" ] && set -- -H "X-Consul-Token: $CONSUL_HTTP_TOKEN" "$@"
    [ -n "${CONSUL_CACERT:-}" ] && set -- --cacert "$CONSUL_CACERT" "$@"
    answer="$(curl "$@")" || { echo "load.sh: Consul refused $key at $address: $answer" >&2; exit 1; }
    [ "$answer" = "true" ] || { echo "load.sh: Consul did not store $key (answered $answer)" >&2; exit 1; }
    echo "put $key"
  fi
done
if $dry_run; then echo "$count keys"; else echo "$count resources loaded into Consul"; fi
