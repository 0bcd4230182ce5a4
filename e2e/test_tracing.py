"""Gloo's tracing through real Envoy (issue 23, item 10): the connection manager's Zipkin tracer
sends spans to a collector that is an Upstream, with the route's operation name and the tags
the Gateway asks for (a request header, a literal)."""

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, eventually
from gloo_hashi import GlooHashi, write_tree


class ZipkinCollector:
    """Keeps every span POSTed to /api/v2/spans (Zipkin's v2 JSON)."""

    def __init__(self):
        self.spans = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                if self.headers.get("transfer-encoding", "").lower() == "chunked":
                    body = b""
                    while (size := int(self.rfile.readline().strip() or b"0", 16)) > 0:
                        body += self.rfile.read(size)
                        self.rfile.readline()
                    self.rfile.readline()
                else:
                    body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.path == "/api/v2/spans":
                    collector.spans += json.loads(body)
                self.send_response(202)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tracing")
    backend, collector = Backend("shop"), ZipkinCollector()
    port = fx.free_port()
    write_tree(directory / "config", {
        "gloo/gateway.solo.io/v1/Gateway/gloo-system/http": f"""
            bindAddress: 127.0.0.1
            bindPort: {port}
            httpGateway:
              options:
                httpConnectionManagerSettings:
                  tracing:
                    requestHeadersForTags: [x-tenant]
                    literalsForTags: [{{tag: team, value: edge}}]
                    zipkinConfig:
                      collectorUpstreamRef: {{name: zipkin, namespace: gloo-system}}
                      collectorEndpoint: /api/v2/spans
                      collectorEndpointVersion: HTTP_JSON
            """,
        "gloo/gloo.solo.io/v1/Upstream/gloo-system/shop": f"static: {{hosts: [{{addr: 127.0.0.1, port: {backend.port}}}]}}",
        "gloo/gloo.solo.io/v1/Upstream/gloo-system/zipkin": f"static: {{hosts: [{{addr: 127.0.0.1, port: {collector.port}}}]}}",
        "gloo/gateway.solo.io/v1/VirtualService/gloo-system/default": """
            virtualHost:
              domains: ['*']
              routes:
              - matchers: [{prefix: /checkout}]
                options: {tracing: {routeDescriptor: checkout}}
                routeAction: {single: {upstream: {name: shop}}}
            """,
    })
    gateway = GlooHashi(directory / "config", directory / "gloo-hashi.log")
    envoy = Envoy(directory, gateway.xds_port, "DELTA_GRPC")
    try:
        eventually(lambda: request(port, "/checkout/ready") == 200)
        yield {"port": port, "collector": collector, "backend": backend}
    finally:
        envoy.stop()
        gateway.stop()
        backend.stop()
        collector.stop()


def request(port, path, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {}),
                                    timeout=5) as response:
            return response.status
    except OSError:
        return None


def test_spans_reach_the_collector_with_the_routes_name_and_the_gateways_tags(world):
    assert request(world["port"], "/checkout/cart", {"x-tenant": "acme"}) == 200
    sent = {name.lower() for name in world["backend"].requests[-1]["headers"]}
    assert "x-b3-traceid" in sent, "the trace context goes upstream"

    def traced():
        return [span for span in world["collector"].spans
                if span.get("name") == "checkout" and span.get("tags", {}).get("x-tenant") == "acme"]
    # Envoy's Zipkin tracer flushes on a timer (5 s by default).
    assert eventually(lambda: traced(), timeout=30)
    assert traced()[0]["tags"].get("team") == "edge"
