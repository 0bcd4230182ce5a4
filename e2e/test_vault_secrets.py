"""TLS certificates from Vault end to end: `gloo-hashi run --vault-address` reads Gloo's KV v2
layout from the Vault test server (its HTTP API over a real socket), a real Envoy serves the
certificate, and a rotation written into Vault reaches a new TLS handshake while the listener
stays the same; a broken new version keeps the last good certificate serving."""

import json
import os

import hvac

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, eventually
from gloo_hashi import GlooHashi, write_tree
from test_https import certificate_authority, issue, serial_of
from test_vault_test_server import VaultServer

PATH = "gloo/gloo.solo.io/v1/Secret/gloo-system/app-tls"


def gloo_body(certificate, key):
    return {"metadata": {"name": "app-tls", "namespace": "gloo-system"}, "tls": {"certChain": certificate, "privateKey": key}}


def test_certificates_from_vault_reach_envoy_and_rotate(tmp_path):
    pki = tmp_path / "pki"
    ca = certificate_authority(pki, "vault-e2e-ca")
    vault = VaultServer()
    backend = Backend("vault-backend")
    client = hvac.Client(url=vault.address, token="root")
    client.secrets.kv.v2.create_or_update_secret(path=PATH, secret=gloo_body(*issue(pki, "app.example.com", 1)))
    # A secret nothing references: never read.
    client.secrets.kv.v2.create_or_update_secret(path=PATH.replace("app-tls", "other-tls"),
                                                 secret=gloo_body(*issue(pki, "other.example.com", 9)))
    config = tmp_path / "config"
    port = write_https_app(config, backend)
    # The token comes from a file, as Nomad's workload identity writes it.
    token_file = tmp_path / "vault_token"
    first_token = json.loads(vault.control("token", ttl=3600, max_ttl=7200))["token"]
    token_file.write_text(first_token + "\n")
    gateway = GlooHashi(config, tmp_path / "gloo-hashi.log",
                        extra_args=["--vault-address", vault.address, "--vault-refresh-seconds", "1",
                                    "--vault-token-file", str(token_file)],
                        env={key: value for key, value in os.environ.items() if not key.startswith("VAULT_")})
    envoy = Envoy(tmp_path, gateway.xds_port, "DELTA_GRPC")
    try:
        eventually(lambda: serial_of(port, "app.example.com", ca) == 1)
        modified_before = envoy.stat("listener_manager.listener_modified")

        # A new token lands in the file and the old one is revoked: the next reads use the new one.
        second_token = json.loads(vault.control("token", ttl=3600, max_ttl=7200))["token"]
        token_file.write_text(second_token + "\n")
        vault.control("revoke", token=first_token)

        # Rotated in Vault: a new handshake shows the new serial; the listener is untouched.
        client.secrets.kv.v2.create_or_update_secret(path=PATH, secret=gloo_body(*issue(pki, "app.example.com", 2)))
        eventually(lambda: serial_of(port, "app.example.com", ca) == 2, timeout=30)
        assert envoy.stat("listener_manager.listener_modified") == modified_before

        # A broken new version: reported, naming the key; the last good certificate keeps serving.
        client.secrets.kv.v2.create_or_update_secret(path=PATH, secret={"tls": "nope"})
        eventually(lambda: any(r["key"] == PATH and r["state"] == "Rejected"
                               for r in json.loads(gateway.get("/debug/reports"))), timeout=30)
        assert serial_of(port, "app.example.com", ca) == 2
        # The VirtualService that uses it says so, naming the secret.
        app = next(r for r in json.loads(gateway.get("/debug/reports"))
                   if r["key"] == "gloo/gateway.solo.io/v1/VirtualService/gloo-system/app")
        assert app["state"] == "Warning" and "Secret gloo-system/app-tls keeps its last good version" in json.dumps(app), app
        reports = gateway.get("/debug/reports")
        assert "PRIVATE KEY" not in reports and second_token not in reports
        assert first_token not in gateway_log(tmp_path) and second_token not in gateway_log(tmp_path), "no token in the log"
        # Only the referenced secret was read (its metadata and data); the other one never.
        reads = [path for method, path in vault_requests(vault)
                 if method == "GET" and "/gloo-system/" in path and not path.endswith("/")]
        assert reads and all(path.endswith("/gloo-system/app-tls") for path in reads), reads
    finally:
        envoy.stop()
        assert gateway.stop() == 0
        backend.stop()
        vault.stop()


def write_https_app(config, backend):
    """An SSL Gateway on a free port serving app.example.com with the Secret app-tls; returns the port."""
    port = fx.free_port()
    write_tree(config, {
        "gloo/gloo.solo.io/v1/Upstream/gloo-system/backend": f"static: {{hosts: [{{addr: 127.0.0.1, port: {backend.port}}}]}}",
        "gloo/gateway.solo.io/v1/Gateway/gloo-system/https": f"bindAddress: 127.0.0.1\nbindPort: {port}\nssl: true\nhttpGateway: {{}}\n",
        "gloo/gateway.solo.io/v1/VirtualService/gloo-system/app": """
            virtualHost:
              domains: [app.example.com]
              routes: [{matchers: [{prefix: /}], routeAction: {single: {upstream: {name: backend}}}}]
            sslConfig: {secretRef: {name: app-tls, namespace: gloo-system}}
            """,
    })
    return port


def gateway_log(tmp_path):
    return (tmp_path / "gloo-hashi.log").read_text()


def vault_requests(vault):
    """The Vault test server's request log (method, path)."""
    return [(r["method"], r["path"]) for r in json.loads(vault.control_get("requests"))]


def test_renewal_relogin_and_a_sealed_vault_keep_secrets_serving(tmp_path):
    """AppRole tokens that live 4 s (10 s at most): the controller renews them and logs in again
    before they run out, so secrets keep flowing; a sealed Vault keeps the last good certificate
    serving while health says the source is down, and the first rotation after unsealing arrives."""
    pki = tmp_path / "pki"
    ca = certificate_authority(pki, "vault-e2e-ca")
    vault = VaultServer()
    backend = Backend("vault-backend")
    client = hvac.Client(url=vault.address, token="root")
    client.secrets.kv.v2.create_or_update_secret(path=PATH, secret=gloo_body(*issue(pki, "app.example.com", 1)))
    vault.control("approle", role_id="gateway-role", secret_id="s3cret-id-value", ttl=4, max_ttl=10)
    config = tmp_path / "config"
    port = write_https_app(config, backend)
    env = {key: value for key, value in os.environ.items() if not key.startswith("VAULT_")}
    env.update(VAULT_ROLE_ID="gateway-role", VAULT_SECRET_ID="s3cret-id-value")
    gateway = GlooHashi(config, tmp_path / "gloo-hashi.log",
                        extra_args=["--vault-address", vault.address, "--vault-refresh-seconds", "1"], env=env)
    envoy = Envoy(tmp_path, gateway.xds_port, "DELTA_GRPC")
    try:
        eventually(lambda: serial_of(port, "app.example.com", ca) == 1)
        # Renewed at half the TTL, then (the max TTL near) a fresh login.
        eventually(lambda: "/v1/auth/token/renew-self" in paths(vault) and paths(vault).count("/v1/auth/approle/login") >= 2,
                   timeout=30)
        client.secrets.kv.v2.create_or_update_secret(path=PATH, secret=gloo_body(*issue(pki, "app.example.com", 2)))
        eventually(lambda: serial_of(port, "app.example.com", ca) == 2, timeout=30)

        # Sealed: the source is reported down, the last good certificate keeps serving.
        vault.control("seal", sealed="true")
        eventually(lambda: 'gloo_hashi_source_up{source="secrets"} 0' in gateway.get("/metrics"), timeout=30)
        assert gateway.status("/readyz") == 200
        assert serial_of(port, "app.example.com", ca) == 2

        # Unsealed: the source recovers and the next rotation arrives.
        vault.control("seal", sealed="false")
        client.secrets.kv.v2.create_or_update_secret(path=PATH, secret=gloo_body(*issue(pki, "app.example.com", 3)))
        eventually(lambda: serial_of(port, "app.example.com", ca) == 3, timeout=60)
        eventually(lambda: 'gloo_hashi_source_up{source="secrets"} 1' in gateway.get("/metrics"), timeout=30)
        assert "s3cret-id-value" not in gateway_log(tmp_path)
    finally:
        envoy.stop()
        assert gateway.stop() == 0
        backend.stop()
        vault.stop()


def paths(vault):
    return [path for _, path in vault_requests(vault)]
