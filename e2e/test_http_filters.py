"""Gloo's HTTP filter options through real Envoy (issue 23, items 8 and 9): fault injection,
request buffering and its per-route override, CSRF, gzip compression, HTTP local rate limits
(a route's own bucket carrying the Gateway's x-ratelimit setting) and a TCP gateway's network
local rate limit. Each test asserts what a client sees, so it fails if the option were dropped."""

import gzip
import http.client
import json
import socket
import threading

import pytest

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, eventually
from gloo_hashi import GlooHashi, write_tree

US = "gloo/gloo.solo.io/v1/Upstream/gloo-system"
VS = "gloo/gateway.solo.io/v1/VirtualService/gloo-system"
GW = "gloo/gateway.solo.io/v1/Gateway/gloo-system"


class ProxyProtocolEcho:
    """Answers each HTTP request with the PROXY protocol line the connection began with."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
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
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = connection.recv(4096)
                if not chunk:
                    return
                data += chunk
            first = data.split(b"\r\n")[0]
            body = first if first.startswith(b"PROXY ") else b"no proxy protocol"
            connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body))

    def stop(self):
        self.listener.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    directory = tmp_path_factory.mktemp("http-filters")
    plain = Backend("plain")
    proxied = ProxyProtocolEcho()
    port, tcp_port = fx.free_port(), fx.free_port()
    to_plain = "routeAction: {single: {upstream: {name: plain}}}"
    write_tree(directory / "config", {
        f"{GW}/http": f"""
            bindAddress: 127.0.0.1
            bindPort: {port}
            httpGateway:
              options:
                gzip: {{compressionLevel: SPEED}}
                buffer: {{maxRequestBytes: 1024}}
                httpLocalRatelimit: {{enableXRatelimitHeaders: true}}
            """,
        f"{GW}/tcp": f"""
            bindAddress: 127.0.0.1
            bindPort: {tcp_port}
            tcpGateway:
              options: {{localRatelimit: {{maxTokens: 1, tokensPerFill: 1, fillInterval: 3600s}}}}
              tcpHosts: [{{name: plain, destination: {{single: {{upstream: {{name: plain}}}}}}}}]
            """,
        f"{US}/plain": f"static: {{hosts: [{{addr: 127.0.0.1, port: {plain.port}}}]}}",
        f"{US}/proxied": f"static: {{hosts: [{{addr: 127.0.0.1, port: {proxied.port}}}]}}\nproxyProtocolVersion: V1\n",
        f"{VS}/default": f"""
            virtualHost:
              domains: ['*']
              routes:
              - matchers: [{{prefix: /fault}}]
                options: {{faults: {{abort: {{percentage: 100, httpStatus: 418}}}}}}
                {to_plain}
              - matchers: [{{prefix: /slow}}]
                options: {{faults: {{delay: {{percentage: 100, fixedDelay: 100ms}}}}}}
                {to_plain}
              - matchers: [{{prefix: /unbuffered}}]
                options: {{bufferPerRoute: {{disabled: true}}}}
                {to_plain}
              - matchers: [{{prefix: /csrf}}]
                options:
                  csrf:
                    filterEnabled: {{defaultValue: {{numerator: 100, denominator: HUNDRED}}}}
                    additionalOrigins: [{{exact: trusted.example}}]  # Envoy compares the origin's host
                {to_plain}
              - matchers: [{{prefix: /limited}}]
                options: {{ratelimit: {{localRatelimit: {{maxTokens: 2, tokensPerFill: 1, fillInterval: 3600s}}}}}}
                {to_plain}
              - matchers: [{{prefix: /proxied}}]
                routeAction: {{single: {{upstream: {{name: proxied}}}}}}
              - matchers: [{{prefix: /}}]
                {to_plain}
            """,
    })
    gateway = GlooHashi(directory / "config", directory / "gloo-hashi.log")
    envoy = Envoy(directory, gateway.xds_port, "DELTA_GRPC")
    try:
        eventually(lambda: request(port, "GET", "/ready")[0] == 200)
        # The TCP listener too, without spending its one token on a probe.
        eventually(lambda: envoy.stat("listener_manager.total_listeners_active") >= 2)
        yield {"port": port, "tcp_port": tcp_port, "plain": plain, "envoy": envoy}
    finally:
        envoy.stop()
        gateway.stop()
        plain.stop()
        proxied.stop()


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    except OSError:
        return None, {}, b""
    finally:
        connection.close()


def test_a_route_fault_aborts_and_another_delays(world):
    before = len(world["plain"].requests)
    assert request(world["port"], "GET", "/fault/x")[0] == 418
    assert len(world["plain"].requests) == before, "an aborted request never reaches the upstream"
    assert request(world["port"], "GET", "/slow/x")[0] == 200
    assert world["envoy"].stat("http.http.fault.delays_injected") >= 1
    assert world["envoy"].stat("http.http.fault.aborts_injected") >= 1


def test_the_gateway_buffer_refuses_large_bodies_unless_a_route_turns_it_off(world):
    large = b"x" * 4096
    assert request(world["port"], "POST", "/upload", body=large)[0] == 413
    assert request(world["port"], "POST", "/upload", body=b"x" * 100)[0] == 200
    assert request(world["port"], "POST", "/unbuffered", body=large)[0] == 200


def test_csrf_refuses_a_foreign_origin_and_allows_the_listed_one(world):
    port = world["port"]
    assert request(port, "POST", "/csrf", body=b"{}", headers={"Origin": "https://evil.example"})[0] == 403
    assert request(port, "POST", "/csrf", body=b"{}", headers={"Origin": "https://trusted.example"})[0] == 200
    assert request(port, "GET", "/csrf", headers={"Origin": "https://evil.example"})[0] == 200, "only mutations are checked"
    assert request(port, "POST", "/other", body=b"{}", headers={"Origin": "https://evil.example"})[0] == 200, \
        "routes without a policy are not checked"


def test_responses_are_gzipped_for_clients_that_accept_it(world):
    status, headers, body = request(world["port"], "GET", "/zip/some/longer/path", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert json.loads(gzip.decompress(body))["path"] == "/zip/some/longer/path"
    status, headers, body = request(world["port"], "GET", "/zip/some/longer/path")
    assert status == 200 and "content-encoding" not in headers and json.loads(body)["backend"] == "plain"


def test_a_route_local_rate_limit_answers_429_with_the_gateways_headers(world):
    answers = [request(world["port"], "GET", "/limited") for _ in range(3)]
    assert [status for status, _, _ in answers] == [200, 200, 429]
    # The Gateway's enableXRatelimitHeaders travels with the route's own bucket.
    assert answers[0][1].get("x-ratelimit-limit") == "2"
    assert request(world["port"], "GET", "/unlimited")[0] == 200, "other routes have no bucket"


def test_a_tcp_gateway_local_rate_limit_closes_the_second_connection(world):
    def exchange():
        try:
            with socket.create_connection(("127.0.0.1", world["tcp_port"]), timeout=5) as client:
                client.sendall(b"GET /tcp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                data = b""
                while chunk := client.recv(4096):
                    data += chunk
                return data
        except OSError:
            return b""
    assert exchange().split(b"\r\n")[0].endswith(b" 200 OK"), "the first connection is proxied"
    assert exchange() == b"", "the bucket's one token is spent: Envoy closes the connection"
    assert world["envoy"].stat("local_rate_limit.network_local_ratelimit.rate_limited") >= 1


def test_an_upstream_with_proxy_protocol_gets_the_clients_address_first(world):
    status, _, body = request(world["port"], "GET", "/proxied")
    assert status == 200 and body.startswith(b"PROXY TCP4 127.0.0.1 "), body
