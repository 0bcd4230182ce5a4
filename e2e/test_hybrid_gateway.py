"""A hybrid Gateway through real Envoy (issue 23, item 11): one listener where clients from
127.0.0.2 get HTTP routes, TLS clients asking for secure.test get HTTPS with the matcher's
certificate, and every other connection is proxied as TCP to another backend."""

import http.client
import json
import socket
import ssl

import pytest

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, eventually
from gloo_hashi import GlooHashi, write_tree
from test_https import certificate_authority, issue, secret_yaml

US = "gloo/gloo.solo.io/v1/Upstream/gloo-system"
VS = "gloo/gateway.solo.io/v1/VirtualService/gloo-system"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    directory = tmp_path_factory.mktemp("hybrid")
    pki = directory / "pki"
    ca = certificate_authority(pki, "hybrid-ca")
    certificate, key = issue(pki, "secure.test", 1)
    web, tcp = Backend("web"), Backend("tcp")
    port = fx.free_port()
    write_tree(directory / "config", {
        "gloo/gateway.solo.io/v1/Gateway/gloo-system/hybrid": f"""
            bindAddress: 127.0.0.1
            bindPort: {port}
            hybridGateway:
              matchedGateways:
              - matcher: {{sourcePrefixRanges: [{{addressPrefix: 127.0.0.2, prefixLen: 32}}]}}
                httpGateway: {{}}
              - matcher:
                  sslConfig: {{secretRef: {{name: secure-tls}}, sniDomains: [secure.test]}}
                httpGateway: {{}}
              - matcher: {{}}
                tcpGateway:
                  tcpHosts: [{{name: tcp, destination: {{single: {{upstream: {{name: tcp}}}}}}}}]
            """,
        "gloo/gloo.solo.io/v1/Secret/gloo-system/secure-tls": secret_yaml(certificate, key),
        f"{US}/web": f"static: {{hosts: [{{addr: 127.0.0.1, port: {web.port}}}]}}",
        f"{US}/tcp": f"static: {{hosts: [{{addr: 127.0.0.1, port: {tcp.port}}}]}}",
        f"{VS}/plain": "virtualHost: {domains: ['*'], routes: [{routeAction: {single: {upstream: {name: web}}}}]}\n",
        f"{VS}/secure": """
            sslConfig: {}
            virtualHost:
              domains: [secure.test]
              routes: [{directResponseAction: {status: 200, body: secure}}]
            """,
    })
    gateway = GlooHashi(directory / "config", directory / "gloo-hashi.log")
    envoy = Envoy(directory, gateway.xds_port, "DELTA_GRPC")
    try:
        eventually(lambda: plain_request(port, "127.0.0.2")[0] == 200)
        yield {"port": port, "ca": ca, "web": web, "tcp": tcp}
    finally:
        envoy.stop()
        gateway.stop()
        web.stop()
        tcp.stop()


def plain_request(port, source):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(source, 0))
    try:
        connection.request("GET", "/hello")
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    except OSError:
        return None, {}, ""
    finally:
        connection.close()


def test_clients_in_the_source_range_get_the_http_gateway(world):
    status, headers, body = plain_request(world["port"], "127.0.0.2")
    assert status == 200 and json.loads(body)["backend"] == "web"
    assert "envoy" in headers.get("server", ""), "answered by Envoy's connection manager"


def test_other_clients_are_proxied_as_tcp(world):
    status, headers, body = plain_request(world["port"], "127.0.0.1")
    assert status == 200 and json.loads(body)["backend"] == "tcp"
    assert "envoy" not in headers.get("server", ""), "bytes passed through: the backend's own answer"


def test_tls_with_the_matchers_name_gets_https_with_its_certificate(world):
    context = ssl.create_default_context(cafile=world["ca"])
    with socket.create_connection(("127.0.0.1", world["port"]), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="secure.test") as tls:
            assert tls.getpeercert()["subject"][0][0][1] == "secure.test"
            tls.sendall(b"GET / HTTP/1.1\r\nHost: secure.test\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := tls.recv(4096):
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"secure")
