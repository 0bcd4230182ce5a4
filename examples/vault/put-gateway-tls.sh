#!/usr/bin/env sh
# Puts the certificate of VirtualService gloo-system/secure (the Secret gloo-system/gateway-tls)
# into Vault, in Gloo's layout on the KV v2 mount "secret", as plain tls.crt / tls.key entries:
#   vault kv put -mount=secret gloo/gloo.solo.io/v1/Secret/gloo-system/gateway-tls tls.crt=@CERT tls.key=@KEY
# With no files given, a self-signed certificate for secure.example.com is made with openssl.
# The vault CLI reads VAULT_ADDR, VAULT_TOKEN and the rest of its environment itself.
#   examples/vault/put-gateway-tls.sh [CERT.pem KEY.pem]
set -eu
if [ $# -ge 2 ]; then
  certificate="$1"
  key="$2"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  certificate="$work/tls.crt"
  key="$work/tls.key"
  openssl req -x509 -newkey rsa:2048 -nodes -days 90 -subj "/CN=secure.example.com" \
    -addext "subjectAltName=DNS:secure.example.com" -keyout "$key" -out "$certificate" 2>/dev/null
fi
vault kv put -mount=secret gloo/gloo.solo.io/v1/Secret/gloo-system/gateway-tls "tls.crt=@$certificate" "tls.key=@$key"
