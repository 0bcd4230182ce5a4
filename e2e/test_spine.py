"""The spine: Gloo YAML in a directory, `gloo-hashi run`, real Envoy routing real requests to two
local backends, then a file edit that Envoy follows."""

import collections
import json
import urllib.request

import pytest

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, eventually, get
from gloo_hashi import GlooHashi, write_tree

US = "gloo/gloo.solo.io/v1/Upstream/gloo-system"
GW = "gloo/gateway.solo.io/v1/Gateway/gloo-system"
VS = "gloo/gateway.solo.io/v1/VirtualService/gloo-system"
RT = "gloo/gateway.solo.io/v1/RouteTable/gloo-system"


def tree(alpha_port, beta_port, listener_port, edited=False):
    return {
        f"{US}/alpha": f"static: {{hosts: [{{addr: 127.0.0.1, port: {alpha_port}}}]}}",
        f"{US}/beta": f"static: {{hosts: [{{addr: 127.0.0.1, port: {beta_port}}}]}}",
        f"{GW}/gateway-proxy": f"""
            bindAddress: 127.0.0.1
            bindPort: {listener_port}
            httpGateway: {{}}
            """,
        f"{VS}/default": f"""
            virtualHost:
              domains: ['*']
              routes:
              - matchers: [{{exact: /exact}}]
                routeAction: {{single: {{upstream: {{name: beta}}}}}}
              - matchers: [{{prefix: /rewrite}}]
                routeAction: {{single: {{upstream: {{name: alpha}}}}}}
                options: {{prefixRewrite: /rewritten}}
              - matchers: [{{prefix: /api, headers: [{{name: x-backend, value: beta}}]}}]
                routeAction: {{single: {{upstream: {{name: beta}}}}}}
              - matchers: [{{prefix: /api, methods: [POST]}}]
                routeAction: {{single: {{upstream: {{name: beta}}}}}}
              - matchers: [{{prefix: /api}}]
                routeAction: {{single: {{upstream: {{name: alpha}}}}}}
              - matchers: [{{prefix: /old}}]
                redirectAction: {{hostRedirect: new.example.com, pathRedirect: /new, responseCode: FOUND}}
              - matchers: [{{exact: /direct}}]
                directResponseAction: {{status: 418, body: {"edited" if edited else "teapot"}}}
              - matchers: [{{prefix: /store}}]
                delegateAction: {{ref: {{name: store}}}}
              - matchers: [{{prefix: /split}}]
                routeAction:
                  multi:
                    destinations:
                    - {{weight: 1, destination: {{upstream: {{name: alpha}}}}}}
                    - {{weight: 1, destination: {{upstream: {{name: beta}}}}}}
              - matchers: [{{exact: /exact-or-prefix}}]
                directResponseAction: {{status: 200, body: exact}}
              - matchers: [{{prefix: /exact-or-prefix}}]
                directResponseAction: {{status: 200, body: prefix}}
            """,
        f"{RT}/store": """
            routes:
            - matchers: [{prefix: /store/orders}]
              routeAction: {single: {upstream: {name: beta}}}
              options: {prefixRewrite: /orders}
            - matchers: [{exact: /store/health}]
              directResponseAction: {status: 200, body: store-ok}
            """,
    }


@pytest.fixture
def backends():
    alpha, beta = Backend("alpha"), Backend("beta")
    yield alpha, beta
    alpha.stop()
    beta.stop()


def answer(port, path, method="GET", headers=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, headers=headers or {},
                                     data=b"" if method == "POST" else None)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, "", {}


def backend_of(port, path, **kwargs):
    status, body, _ = answer(port, path, **kwargs)
    assert status == 200, (path, status, body)
    return json.loads(body)


def test_gloo_yaml_to_real_traffic_and_a_file_edit(tmp_path, backends):
    alpha, beta = backends
    listener_port = fx.free_port()
    config = tmp_path / "config"
    write_tree(config, tree(alpha.port, beta.port, listener_port))
    gateway = GlooHashi(config, tmp_path / "gloo-hashi.log")
    envoy = Envoy(tmp_path, gateway.xds_port, "GRPC")
    try:
        eventually(lambda: answer(listener_port, "/direct")[0] == 418)

        # Exact and prefix matches, with the prefix rewritten before the upstream sees it.
        assert backend_of(listener_port, "/exact") == {"backend": "beta", "path": "/exact"}
        assert backend_of(listener_port, "/rewrite/pets") == {"backend": "alpha", "path": "/rewritten/pets"}
        assert answer(listener_port, "/exact-or-prefix")[1] == "exact"
        assert answer(listener_port, "/exact-or-prefix/more")[1] == "prefix"
        # Header and method matches pick beta; otherwise alpha.
        assert backend_of(listener_port, "/api/x")["backend"] == "alpha"
        assert backend_of(listener_port, "/api/x", headers={"x-backend": "beta"})["backend"] == "beta"
        assert backend_of(listener_port, "/api/x", method="POST")["backend"] == "beta"
        # Redirect and direct response.
        status, _, headers = answer(listener_port, "/old/thing")
        assert status == 302 and headers["location"] == "http://new.example.com/new"
        assert answer(listener_port, "/direct")[:2] == (418, "teapot")
        # The delegated RouteTable.
        assert backend_of(listener_port, "/store/orders/7") == {"backend": "beta", "path": "/orders/7"}
        assert answer(listener_port, "/store/health")[:2] == (200, "store-ok")
        # Weighted destinations: both backends get traffic.
        seen = collections.Counter(backend_of(listener_port, "/split")["backend"] for _ in range(60))
        assert seen["alpha"] > 5 and seen["beta"] > 5, seen

        # A file edit changes a route, and Envoy follows.
        write_tree(config, {f"{VS}/default": tree(alpha.port, beta.port, listener_port, edited=True)[f"{VS}/default"]})
        eventually(lambda: answer(listener_port, "/direct")[1] == "edited")

        # Graceful stop: gloo-hashi exits 0 and Envoy keeps serving what it has.
        assert gateway.stop() == 0
        assert answer(listener_port, "/direct")[1] == "edited"
    finally:
        envoy.stop()
        if gateway.process.poll() is None:
            gateway.stop()
