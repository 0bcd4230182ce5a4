"""Real Envoy against gloo-hashi's ADS server, over GRPC (SotW) and DELTA_GRPC: traffic flows,
a published change is served, and a resource Envoy rejects is a NACK while Envoy keeps serving."""

import json

import pytest

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, eventually, get


@pytest.fixture
def backend():
    running = Backend("petstore")
    yield running
    running.stop()


def resources(backend_port, listener_port, routes):
    return [fx.cluster("petstore"), fx.load_assignment("petstore", backend_port),
            fx.listener("http", listener_port, "http-routes"), fx.route_config("http-routes", routes)]


@pytest.mark.parametrize("api_type", ["GRPC", "DELTA_GRPC"])
def test_envoy_routes_follows_changes_and_survives_a_rejected_update(tmp_path, backend, api_type):
    listener_port = fx.free_port()
    server = fx.FixtureServer(tmp_path, resources(backend.port, listener_port, [fx.to_cluster("/", "petstore")]))
    envoy = Envoy(tmp_path, server.port, api_type)
    try:
        status, body = eventually(lambda: (lambda r: r if r[0] == 200 else None)(get(listener_port, "/pets")))
        assert json.loads(body) == {"backend": "petstore", "path": "/pets"}
        assert backend.requests[-1]["path"] == "/pets"

        # A published route change is served.
        server.publish(resources(backend.port, listener_port, [
            fx.direct("/direct", 200, "from-the-gateway"), fx.to_cluster("/", "petstore")]))
        eventually(lambda: get(listener_port, "/direct") == (200, "from-the-gateway"))
        assert get(listener_port, "/pets")[0] == 200

        # A route Envoy rejects (an invalid RE2 regex passes proto validation but not Envoy).
        bad_route = {"match": {"safe_regex": {"regex": "(unclosed"}}, "direct_response": {"status": 500}}
        server.publish(resources(backend.port, listener_port, [bad_route, fx.to_cluster("/", "petstore")]))
        nack = server.wait_for("nack", where=lambda e: e["node"] == "envoy-e2e" and e["type"] == fx.ROUTE)
        assert "(unclosed" in nack["message"]  # RE2 says what is wrong with the regex
        eventually(lambda: envoy.stat("http.http.rds.http-routes.update_rejected") >= 1)
        # Envoy keeps serving the last good configuration.
        assert get(listener_port, "/direct") == (200, "from-the-gateway")
        dump = envoy.admin("/config_dump?resource=dynamic_route_configs")
        assert "from-the-gateway" in dump and "(unclosed" not in dump
    finally:
        envoy.stop()
        server.stop()
