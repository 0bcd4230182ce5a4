"""Gloo's semantics through real Envoy, where getting them wrong weakens security (issue 22):
an upstream whose certificate does not carry its own verifySubjectAltName is refused while its
sibling on the same Secret is served; `/public/../admin` is routed as `/admin` (Gloo's
normalize_path); a WebSocket upgrade goes through (Gloo's default upgrade); a delegated route is
not served without its parent's header; the gateway's health check is answered by Envoy itself
and fails while Envoy fails its health checks (as during a drain)."""

import base64
import hashlib
import http.client
import socket
import threading
import textwrap
import urllib.request

import pytest

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, eventually
from gloo_hashi import GlooHashi, write_tree
from test_https import certificate_authority, issue

US = "gloo/gloo.solo.io/v1/Upstream/gloo-system"
VS = "gloo/gateway.solo.io/v1/VirtualService/gloo-system"
RT = "gloo/gateway.solo.io/v1/RouteTable/gloo-system"
WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class WebSocketEcho:
    """Accepts a WebSocket upgrade (101 with the key's accept value), then echoes raw bytes."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.upgrades = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection):
        with connection:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = connection.recv(4096)
                if not chunk:
                    return
                head += chunk
            headers = {}
            for line in head.split(b"\r\n\r\n")[0].decode().split("\r\n")[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if headers.get("upgrade", "").lower() != "websocket":
                connection.sendall(b"HTTP/1.1 426 Upgrade Required\r\ncontent-length: 0\r\n\r\n")
                return
            accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + WEBSOCKET_GUID).encode()).digest())
            self.upgrades += 1
            connection.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
            while True:
                data = connection.recv(4096)
                if not data:
                    return
                connection.sendall(data)

    def stop(self):
        self.listener.close()


def route(prefix, action):
    return f"{{matchers: [{{prefix: {prefix}}}], {action}}}"


def to(upstream):
    return f"routeAction: {{single: {{upstream: {{name: {upstream}}}}}}}"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fidelity")
    pki = directory / "pki"
    ca = certificate_authority(pki, "fidelity-ca")
    certificate, key = issue(pki, "backend.internal", 1)
    (pki / "backend.pem").write_text(certificate)
    (pki / "backend.key").write_text(key)
    secure = Backend("secure", tls=(str(pki / "backend.pem"), str(pki / "backend.key")))
    plain = Backend("plain")
    echo = WebSocketEcho()
    port = fx.free_port()
    config = directory / "config"
    ca_pem = open(ca).read()
    tls_upstream = lambda san: f"""
        static: {{hosts: [{{addr: 127.0.0.1, port: {secure.port}}}]}}
        sslConfig:
          secretRef: {{name: backend-ca, namespace: gloo-system}}
          sni: backend.internal
          verifySubjectAltName: [{san}]
        """
    write_tree(config, {
        "gloo/gateway.solo.io/v1/Gateway/gloo-system/http":
            f"bindAddress: 127.0.0.1\nbindPort: {port}\nhttpGateway: {{options: {{healthCheck: {{path: /healthz}}}}}}\n",
        "gloo/gloo.solo.io/v1/Secret/gloo-system/backend-ca": "tls:\n  rootCa: |\n" + textwrap.indent(ca_pem, "    "),
        # Two Upstreams on one Secret: the first expects the backend's SAN, the second another.
        f"{US}/secure-right": tls_upstream("backend.internal"),
        f"{US}/secure-wrong": tls_upstream("somebody-else.internal"),
        f"{US}/plain": f"static: {{hosts: [{{addr: 127.0.0.1, port: {plain.port}}}]}}",
        f"{US}/echo": f"static: {{hosts: [{{addr: 127.0.0.1, port: {echo.port}}}]}}",
        f"{RT}/team": f"""
            routes:
            # Would serve /team/open to anyone: not served.
            - {route("/team/open", to("plain"))}
            - matchers: [{{prefix: /team/inherited}}]
              inheritableMatchers: true
              {to("plain")}
            """,
        f"{VS}/default": f"""
            virtualHost:
              domains: ['*']
              routes:
              - {route("/right", to("secure-right"))}
              - {route("/wrong", to("secure-wrong"))}
              - {route("/admin", "directResponseAction: {status: 403, body: admin is closed}")}
              - {route("/public", to("plain"))}
              - {route("/ws", to("echo"))}
              - matchers: [{{prefix: /team, headers: [{{name: x-team, value: blue}}]}}]
                delegateAction: {{ref: {{name: team}}}}
            """,
    })
    gateway = GlooHashi(config, directory / "gloo-hashi.log")
    envoy = Envoy(directory, gateway.xds_port, "DELTA_GRPC")
    try:
        eventually(lambda: request(port, "/public/ready")[0] == 200)
        yield {"port": port, "plain": plain, "echo": echo, "envoy": envoy}
    finally:
        envoy.stop()
        gateway.stop()
        for server in (secure, plain, echo):
            server.stop()


def request(port, path, headers=None):
    """One request with the path sent exactly as given (no client-side normalization)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    except OSError:
        return None, ""
    finally:
        connection.close()


def test_a_san_mismatch_is_refused_while_its_sibling_on_the_same_secret_is_served(world):
    status, body = request(world["port"], "/right/x")
    assert status == 200 and '"backend": "secure"' in body
    status, _ = request(world["port"], "/wrong/x")
    assert status == 503, "the certificate does not carry somebody-else.internal: the handshake must fail"
    assert world["envoy"].stat("cluster.secure-wrong_gloo-system.ssl.fail_verify_san") >= 1


def test_dot_segments_are_resolved_before_routing(world):
    before = len(world["plain"].requests)
    assert request(world["port"], "/public/../admin") == (403, "admin is closed")
    assert request(world["port"], "/public/./../admin/users") == (403, "admin is closed")
    assert len(world["plain"].requests) == before, "the public backend never saw the request"
    assert request(world["port"], "/public/a/../b")[0] == 200
    assert world["plain"].requests[-1]["path"] == "/public/b"


def test_a_websocket_upgrade_goes_through(world):
    with socket.create_connection(("127.0.0.1", world["port"]), timeout=5) as client:
        client.sendall(b"GET /ws HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            assert chunk, f"connection closed after {head!r}"
            head += chunk
        status_line = head.split(b"\r\n")[0]
        assert status_line.startswith(b"HTTP/1.1 101"), head
        assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".lower() in head.lower(), "RFC 6455's example key"
        client.sendall(b"ping over the tunnel")
        echoed = b""
        while len(echoed) < len(b"ping over the tunnel"):
            chunk = client.recv(4096)
            assert chunk
            echoed += chunk
        assert echoed == b"ping over the tunnel"
    assert world["echo"].upgrades >= 1


def test_a_delegated_route_needs_its_parents_header(world):
    port = world["port"]
    assert request(port, "/team/open")[0] == 404, "not served: it lacks the parent's header"
    assert request(port, "/team/open", {"x-team": "blue"})[0] == 404, "not served at all, with or without it"
    assert request(port, "/team/inherited")[0] == 404, "inherits the header: required"
    assert request(port, "/team/inherited", {"x-team": "red"})[0] == 404
    status, body = request(port, "/team/inherited", {"x-team": "blue"})
    assert status == 200 and '"backend": "plain"' in body


def test_the_gateway_health_check_is_answered_by_envoy_and_fails_with_it(world):
    port, envoy = world["port"], world["envoy"]
    before = len(world["plain"].requests)
    assert request(port, "/healthz")[0] == 200, "answered before any route (no route matches /healthz)"
    assert request(port, "/healthz/more")[0] == 404, "the exact path only"
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{envoy.admin_port}/healthcheck/fail", method="POST"),
                           timeout=5).read()
    try:
        assert request(port, "/healthz")[0] == 503
    finally:
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{envoy.admin_port}/healthcheck/ok", method="POST"),
                               timeout=5).read()
    assert request(port, "/healthz")[0] == 200
    assert len(world["plain"].requests) == before, "no backend saw a health check"
