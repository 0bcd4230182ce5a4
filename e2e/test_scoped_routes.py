"""Scoped route mode with real Envoy: two gateways on one Envoy, each VirtualService its own
RouteConfiguration behind a routing scope keyed on the host. A gateway never serves the other
gateway's hosts, a shared host is served by each gateway its own way, and a route edit or a new
VirtualService reaches Envoy without touching its listeners."""

import json

import pytest

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, eventually
from gloo_hashi import GlooHashi, write_tree
from test_spine import answer

US = "gloo/gloo.solo.io/v1/Upstream/gloo-system"
GW = "gloo/gateway.solo.io/v1/Gateway/gloo-system"
VS = "gloo/gateway.solo.io/v1/VirtualService/gloo-system"


def service(label, domain, body=None, upstream=None):
    action = f"routeAction: {{single: {{upstream: {{name: {upstream}}}}}}}" if upstream else \
        f"directResponseAction: {{status: 200, body: '{body}'}}"
    return f"""
        metadata: {{labels: {{expose: {label}}}}}
        virtualHost:
          domains: [{domain}]
          routes: [{{matchers: [{{prefix: /}}], {action}}}]
        """


def host(port, name, path="/"):
    status, body, _ = answer(port, path, headers={"Host": name})
    if status == 200 and body.startswith("{"):
        return status, json.loads(body)["backend"]
    return status, body


@pytest.mark.parametrize("api_type", ["GRPC", "DELTA_GRPC"])
def test_two_gateways_keep_their_scopes_and_edits_skip_the_listener(tmp_path, api_type):
    alpha = Backend("alpha")
    public_port, internal_port = fx.free_port(), fx.free_port()
    config = tmp_path / "config"
    write_tree(config, {
        f"{US}/alpha": f"static: {{hosts: [{{addr: 127.0.0.1, port: {alpha.port}}}]}}",
        f"{GW}/public": f"bindAddress: 127.0.0.1\nbindPort: {public_port}\nhttpGateway: {{virtualServiceSelector: {{expose: public}}}}\n",
        f"{GW}/internal": f"bindAddress: 127.0.0.1\nbindPort: {internal_port}\nhttpGateway: {{virtualServiceSelector: {{expose: internal}}}}\n",
        f"{VS}/public-one": service("public", "one.example.com", upstream="alpha"),
        f"{VS}/public-two": service("public", "two.example.com", body="public two"),
        f"{VS}/internal-one": service("internal", "one.example.com", body="internal one"),
    })
    gateway = GlooHashi(config, tmp_path / "gloo-hashi.log")
    envoy = Envoy(tmp_path, gateway.xds_port, api_type)
    try:
        eventually(lambda: host(internal_port, "one.example.com") == (200, "internal one"))
        modes = json.loads(gateway.get("/debug/route-modes"))[0]["route_modes"]
        assert sorted(mode["mode"] for mode in modes) == ["scoped", "scoped"], modes
        assert host(public_port, "one.example.com") == (200, "alpha")
        assert host(public_port, f"one.example.com:{public_port}") == (200, "alpha"), "the port is not part of the key"
        assert host(public_port, "One.Example.COM") == (200, "alpha"), "hosts match in any case, as in single mode"
        assert host(public_port, "two.example.com") == (200, "public two")
        # The internal gateway does not capture the public gateway's host, and vice versa.
        assert host(internal_port, "two.example.com")[0] == 404
        assert host(public_port, "unknown.example.com")[0] == 404

        listeners_modified = envoy.stat("listener_manager.listener_modified")
        lds_version = json.loads(envoy.admin("/config_dump?resource=dynamic_listeners"))["configs"]
        lds_versions = sorted(c["active_state"]["version_info"] for c in lds_version)

        # A route edit: only that VirtualService's RouteConfiguration changes.
        write_tree(config, {f"{VS}/public-two": service("public", "two.example.com", body="edited two")})
        eventually(lambda: host(public_port, "two.example.com") == (200, "edited two"))
        # A new VirtualService: a new scope and RouteConfiguration, the same listener.
        write_tree(config, {f"{VS}/public-three": service("public", "three.example.com", body="public three")})
        eventually(lambda: host(public_port, "three.example.com") == (200, "public three"))
        assert host(internal_port, "three.example.com")[0] == 404
        assert host(internal_port, "one.example.com") == (200, "internal one")

        assert envoy.stat("listener_manager.listener_modified") == listeners_modified
        configs = json.loads(envoy.admin("/config_dump?resource=dynamic_listeners"))["configs"]
        assert sorted(c["active_state"]["version_info"] for c in configs) == lds_versions
        assert envoy.stat("listener_manager.lds.update_rejected") == 0
    finally:
        envoy.stop()
        gateway.stop()
        alpha.stop()
