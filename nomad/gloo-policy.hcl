# The Vault policy gloo-hashi needs (REFERENCE.md section 5). Gloo's sample granted
# "secret/gloo/*", which does not work on a KV v2 mount: v2 serves data under secret/data/ and
# versions and listings under secret/metadata/.
#   vault policy write gloo-hashi nomad/gloo-policy.hcl

# TLS Secrets in Gloo's layout: read them, and write them with `gloo-hashi secret create`.
path "secret/data/gloo/*" {
  capabilities = ["create", "read", "update"]
}

# Versions (change detection reads only metadata), listings, and deleting every version.
path "secret/metadata/gloo/*" {
  capabilities = ["read", "list", "delete"]
}

# Which KV version the mount is (gloo-hashi asks once at start).
path "sys/internal/ui/mounts/secret" {
  capabilities = ["read"]
}

# Certificates issued by Vault PKI for sslConfig.vaultPki (mount pki, role gateway; add a path
# per mount and role you use).
path "pki/issue/gateway" {
  capabilities = ["create", "update"]
}

# Token self-management: look up at start and renew at half the TTL.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}

path "auth/token/renew-self" {
  capabilities = ["update"]
}
