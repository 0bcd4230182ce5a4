"""Certificates issued by Vault PKI end to end (`sslConfig.vaultPki`, our extension): the
controller asks the Vault test server's PKI mount for a certificate, keeps the key in memory,
serves it to a real Envoy over SDS, and issues it again at two thirds of its lifetime; the new
certificate reaches a new handshake while the listener stays the same and an open connection
keeps working. A request Vault refuses rejects only the VirtualService that made it."""

import http.client
import json
import os
import socket
import ssl

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, eventually
from gloo_hashi import GlooHashi, write_tree
from test_https import served_certificate, serial_of
from test_vault_secrets import vault_requests
from test_vault_test_server import VaultServer

VS = "gloo/gateway.solo.io/v1/VirtualService/gloo-system"


def test_vault_pki_certificates_are_served_and_renewed_at_two_thirds(tmp_path):
    vault = VaultServer()
    ca = tmp_path / "vault-ca.pem"
    ca.write_text(json.loads(vault.control("pki-role", mount="pki", role="gateway", max_ttl=3600))["ca"])
    backend = Backend("pki-backend")
    port = fx.free_port()
    config = tmp_path / "config"
    route = "routes: [{matchers: [{prefix: /}], routeAction: {single: {upstream: {name: backend}}}}]"
    write_tree(config, {
        "gloo/gloo.solo.io/v1/Upstream/gloo-system/backend": f"static: {{hosts: [{{addr: 127.0.0.1, port: {backend.port}}}]}}",
        "gloo/gateway.solo.io/v1/Gateway/gloo-system/https": f"bindAddress: 127.0.0.1\nbindPort: {port}\nssl: true\nhttpGateway: {{}}\n",
        # Six seconds of life: issued again after about four.
        f"{VS}/app": f"""
            virtualHost: {{domains: [app.example.com], {route}}}
            sslConfig:
              sniDomains: [app.example.com]
              vaultPki: {{role: gateway, commonName: app.example.com, altNames: [www.example.com], ttl: 6s}}
            """,
        f"{VS}/refused": f"""
            virtualHost: {{domains: [refused.example.com], {route}}}
            sslConfig:
              sniDomains: [refused.example.com]
              vaultPki: {{role: nobody, commonName: refused.example.com}}
            """,
    })
    env = {key: value for key, value in os.environ.items() if not key.startswith("VAULT_")}
    env["VAULT_TOKEN"] = "root"
    gateway = GlooHashi(config, tmp_path / "gloo-hashi.log", extra_args=["--vault-address", vault.address], env=env)
    envoy = Envoy(tmp_path, gateway.xds_port, "DELTA_GRPC")
    try:
        eventually(lambda: serial_of(port, "app.example.com", str(ca)) is not None)
        first = serial_of(port, "app.example.com", str(ca))
        names = [value for kind, value in served_certificate(port, "app.example.com", str(ca))["subjectAltName"]]
        assert names == ["app.example.com", "www.example.com"]

        # An open keep-alive connection, and the listener as Envoy has it now.
        context = ssl.create_default_context(cafile=str(ca))
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5)
        connection.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5),
                                              server_hostname="app.example.com")
        connection.request("GET", "/before", headers={"Host": "app.example.com"})
        assert json.loads(connection.getresponse().read())["path"] == "/before"
        versions_before = listener_versions(envoy)
        modified_before = envoy.stat("listener_manager.listener_modified")

        # Two thirds of the lifetime later, a new certificate; only the SDS Secret changed.
        eventually(lambda: serial_of(port, "app.example.com", str(ca)) not in (None, first), timeout=20)
        assert envoy.stat("listener_manager.listener_modified") == modified_before
        assert listener_versions(envoy) == versions_before
        connection.request("GET", "/after", headers={"Host": "app.example.com"})
        assert json.loads(connection.getresponse().read())["path"] == "/after"
        connection.close()
        issues = [path for method, path in vault_requests(vault) if path == "/v1/pki/issue/gateway"]
        assert len(issues) >= 2

        # The refused request rejects only its VirtualService, naming what Vault said.
        reports = {r["key"]: r for r in json.loads(gateway.get("/debug/reports"))}
        refused = reports[f"{VS}/refused"]
        assert refused["state"] == "Rejected" and "unknown role" in json.dumps(refused), refused
        assert reports.get(f"{VS}/app", {"state": "Accepted"})["state"] == "Accepted", "only problems are listed"
        # The key never leaves memory: not in the debug API, not in the log; the expiry is a metric.
        assert "PRIVATE KEY" not in gateway.get("/debug/snapshot?proxy=gateway-proxy")
        assert "PRIVATE KEY" not in (tmp_path / "gloo-hashi.log").read_text()
        assert 'gloo_hashi_certificate_expiry_timestamp_seconds{secret="vault-pki/pki/gateway/app.example.com-' \
            in gateway.get("/metrics")
    finally:
        envoy.stop()
        assert gateway.stop() == 0
        backend.stop()
        vault.stop()


def listener_versions(envoy):
    dump = json.loads(envoy.admin("/config_dump?resource=dynamic_listeners"))
    return [c["active_state"]["version_info"] for c in dump["configs"]]
