"""Nomad native service discovery end to end: `gloo-hashi run --nomad-address` watches the Nomad
test server's services, a route to the discovered Upstream `web` reaches both allocations through
real Envoy, and when one allocation's service is deregistered it stops getting traffic while a
steady load sees no failed request."""

import threading

from backends import Backend
from envoy_runner import Envoy, eventually, get
from gloo_hashi import GlooHashi, write_tree
from test_nomad_test_server import NomadServer

import xds_fixtures as fx


def test_nomad_service_instances_get_traffic_and_leave_without_failures(tmp_path):
    nomad = NomadServer()
    first, second = Backend("alloc-a"), Backend("alloc-b")
    nomad.control("register", service="web", id="_nomad-task-a-web", address="127.0.0.1", port=first.port, alloc="a", job="web")
    nomad.control("register", service="web", id="_nomad-task-b-web", address="127.0.0.1", port=second.port, alloc="b", job="web")
    port = fx.free_port()
    config = tmp_path / "config"
    # The route names the Upstream discovery makes from Nomad's service list; nothing is stored for it.
    write_tree(config, {
        "gloo/gateway.solo.io/v1/Gateway/gloo-system/http": f"bindAddress: 127.0.0.1\nbindPort: {port}\nhttpGateway: {{}}\n",
        "gloo/gateway.solo.io/v1/VirtualService/gloo-system/web": """
            virtualHost:
              domains: ['*']
              routes: [{matchers: [{prefix: /}], routeAction: {single: {upstream: {name: web, namespace: gloo-system}}}}]
            """,
    })
    gateway = GlooHashi(config, tmp_path / "gloo-hashi.log", extra_args=["--nomad-address", nomad.address])
    envoy = Envoy(tmp_path, gateway.xds_port, "DELTA_GRPC")
    stop = threading.Event()
    outcomes = []
    try:
        # Both allocations get traffic.
        def both_served():
            for _ in range(10):
                get(port, "/")
            return first.requests and second.requests
        eventually(both_served, timeout=30)

        # Under a steady load, one allocation's service goes away.
        def load():
            while not stop.is_set():
                outcomes.append(get(port, "/")[0])
        worker = threading.Thread(target=load)
        worker.start()
        eventually(lambda: len(outcomes) >= 5)  # the load is running
        nomad.control("deregister", id="_nomad-task-b-web")
        # Envoy gets the new load assignment: b leaves the cluster's hosts. A few requests later
        # (every worker has the update) b gets nothing more while a keeps answering.
        eventually(lambda: f"127.0.0.1:{second.port}::" not in envoy.admin("/clusters"))
        changed = len(outcomes)
        eventually(lambda: len(outcomes) >= changed + 5)
        served_by_b, served_by_a, settled = len(second.requests), len(first.requests), len(outcomes)
        eventually(lambda: len(outcomes) >= settled + 20)
        stop.set()
        worker.join(timeout=10)
        assert len(second.requests) == served_by_b, "b got requests after it left"
        assert len(first.requests) >= served_by_a + 20
        assert outcomes and all(status == 200 for status in outcomes), f"{len(outcomes)} requests, failures: " \
            f"{[s for s in outcomes if s != 200][:5]}"
        assert len(outcomes) > 20, "the load ran across the change"
        assert "nomad" in gateway.get("/debug/discovery")
    finally:
        stop.set()
        envoy.stop()
        assert gateway.stop() == 0
        first.stop()
        second.stop()
        nomad.stop()
