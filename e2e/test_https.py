"""HTTPS through real Envoy with certificates from the configuration directory: each SNI name
gets its own certificate, and a certificate rotation changes only the SDS Secret (the listener
is not modified and open connections survive)."""

import http.client
import json
import socket
import ssl
import subprocess
import textwrap
import urllib.request

import pytest

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, eventually
from gloo_hashi import GlooHashi, write_tree

SE = "gloo/gloo.solo.io/v1/Secret/gloo-system"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def issue(directory, name, serial):
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}-{serial}.key", "-out", f"{name}.csr",
            "-subj", f"/CN={name}", cwd=directory)
    (directory / f"{name}.ext").write_text(f"subjectAltName=DNS:{name}\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", str(serial),
            "-out", f"{name}-{serial}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=directory)
    return (directory / f"{name}-{serial}.pem").read_text(), (directory / f"{name}-{serial}.key").read_text()


def certificate_authority(directory, name):
    """A two-day CA in directory/ca.pem and ca.key; returns the CA file's path."""
    directory.mkdir(exist_ok=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", f"/CN={name}", cwd=directory)
    return str(directory / "ca.pem")


def secret_yaml(certificate, key):
    return "tls:\n  certChain: |\n" + textwrap.indent(certificate, "    ") + "  privateKey: |\n" + textwrap.indent(key, "    ")


def admin_get(gateway, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{gateway.admin_port}{path}", timeout=5) as response:
        return response.read().decode()


def served_certificate(port, server_name, ca):
    context = ssl.create_default_context(cafile=ca)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=server_name) as tls:
            return tls.getpeercert()


def serial_of(port, server_name, ca):
    try:
        return int(served_certificate(port, server_name, ca)["serialNumber"], 16)
    except (OSError, ssl.SSLError):
        return None


@pytest.fixture
def backend():
    running = Backend("secure-backend")
    yield running
    running.stop()


def test_https_per_sni_and_rotation_touches_only_the_secret(tmp_path, backend):
    pki = tmp_path / "pki"
    ca = certificate_authority(pki, "e2e-ca")
    port = fx.free_port()
    config = tmp_path / "config"
    files = {
        f"{SE}/a-tls": secret_yaml(*issue(pki, "a.example.com", 1)),
        f"{SE}/b-tls": secret_yaml(*issue(pki, "b.example.com", 2)),
        "gloo/gloo.solo.io/v1/Upstream/gloo-system/backend": f"static: {{hosts: [{{addr: 127.0.0.1, port: {backend.port}}}]}}",
        "gloo/gateway.solo.io/v1/Gateway/gloo-system/https": f"bindAddress: 127.0.0.1\nbindPort: {port}\nssl: true\nhttpGateway: {{}}\n",
    }
    for name in ("a", "b"):
        files[f"gloo/gateway.solo.io/v1/VirtualService/gloo-system/{name}"] = f"""
            virtualHost:
              domains: [{name}.example.com]
              routes: [{{matchers: [{{prefix: /}}], routeAction: {{single: {{upstream: {{name: backend}}}}}}}}]
            sslConfig: {{secretRef: {{name: {name}-tls, namespace: gloo-system}}, sniDomains: [{name}.example.com]}}
            """
    write_tree(config, files)
    gateway = GlooHashi(config, tmp_path / "gloo-hashi.log")
    envoy = Envoy(tmp_path, gateway.xds_port, "DELTA_GRPC")
    try:
        eventually(lambda: serial_of(port, "a.example.com", ca) == 1)
        assert serial_of(port, "b.example.com", ca) == 2
        assert dict(x[0] for x in served_certificate(port, "b.example.com", ca)["subject"])["commonName"] == "b.example.com"

        # An open keep-alive connection, and the listener as Envoy has it now.
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=ssl.create_default_context(cafile=ca), timeout=5)
        connection._tunnel_host = None
        connection.sock = ssl.create_default_context(cafile=ca).wrap_socket(
            socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="a.example.com")
        connection.request("GET", "/before", headers={"Host": "a.example.com"})
        assert json.loads(connection.getresponse().read())["path"] == "/before"
        listeners_before = json.loads(envoy.admin("/config_dump?resource=dynamic_listeners"))
        modified_before = envoy.stat("listener_manager.listener_modified")

        # Rotate a's certificate: only the SDS Secret changes.
        write_tree(config, {f"{SE}/a-tls": secret_yaml(*issue(pki, "a.example.com", 3))})
        eventually(lambda: serial_of(port, "a.example.com", ca) == 3)
        assert serial_of(port, "b.example.com", ca) == 2
        assert envoy.stat("listener_manager.listener_modified") == modified_before
        listeners_after = json.loads(envoy.admin("/config_dump?resource=dynamic_listeners"))
        assert [c["active_state"]["version_info"] for c in listeners_after["configs"]] == \
            [c["active_state"]["version_info"] for c in listeners_before["configs"]]
        # The connection opened before the rotation still works.
        connection.request("GET", "/after", headers={"Host": "a.example.com"})
        assert json.loads(connection.getresponse().read())["path"] == "/after"
        connection.close()

        # The debug API shows the snapshot without key material, and this Envoy's ACKs.
        snapshot = admin_get(gateway, "/debug/snapshot?proxy=gateway-proxy")
        assert "[redacted]" in snapshot and "PRIVATE KEY" not in snapshot
        assert "BEGIN CERTIFICATE" in snapshot
        nodes = json.loads(admin_get(gateway, "/debug/xds"))
        envoy_node = next(node for node in nodes if node["node"] == "envoy-e2e")
        assert envoy_node["group"] == "gloo-system~gateway-proxy" and "SDS" in envoy_node["acked"]
        # The test certificates live two days: each Secret carries the 7-day expiry warning.
        reports = json.loads(admin_get(gateway, "/debug/reports"))
        assert sorted(r["key"] for r in reports) == [f"{SE}/a-tls", f"{SE}/b-tls"]
        assert all(r["state"] == "Warning" and "in less than 7 days" in r["warnings"][0] for r in reports)
    finally:
        envoy.stop()
        gateway.stop()
