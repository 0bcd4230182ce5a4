"""VirtualHostOption and RouteOption resources through real Envoy (issue 23, item 5): a
VirtualService takes options in with `optionsConfigRefs`, its own options win, an edit of the
referenced resource reaches Envoy without touching the VirtualService, a reference to a resource
that does not exist yet is a warning until the resource arrives, and a route naming a rejected
RouteOption is not served without it."""

import http.client
import json

import pytest

import xds_fixtures as fx
from backends import Backend
from envoy_runner import Envoy, eventually
from gloo_hashi import GlooHashi, write_tree

US = "gloo/gloo.solo.io/v1/Upstream/gloo-system"
VS = "gloo/gateway.solo.io/v1/VirtualService/gloo-system"
VHO = "gloo/gateway.solo.io/v1/VirtualHostOption/gloo-system"
RTO = "gloo/gateway.solo.io/v1/RouteOption/gloo-system"


def header_option(name, value):
    return f"""
        options:
          headerManipulation: {{responseHeadersToAdd: [{{header: {{key: {name}, value: {value}}}}}]}}
        """


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    directory = tmp_path_factory.mktemp("option-resources")
    backend = Backend("plain")
    port = fx.free_port()
    config = directory / "config"
    to_plain = "routeAction: {single: {upstream: {name: plain}}}"
    write_tree(config, {
        "gloo/gateway.solo.io/v1/Gateway/gloo-system/http": f"bindAddress: 127.0.0.1\nbindPort: {port}\nhttpGateway: {{}}\n",
        f"{US}/plain": f"static: {{hosts: [{{addr: 127.0.0.1, port: {backend.port}}}]}}",
        f"{VHO}/team-headers": header_option("x-team", "blue"),
        f"{RTO}/rewrite": "options: {prefixRewrite: /rewritten}\n",
        f"{RTO}/secured": "options: {extauth: {configRef: {name: auth, namespace: gloo-system}}}\n",
        f"{VS}/default": f"""
            virtualHost:
              domains: ['*']
              optionsConfigRefs: {{delegateOptions: [{{name: team-headers}}, {{name: later}}]}}
              routes:
              - matchers: [{{prefix: /rewrite}}]
                optionsConfigRefs: {{delegateOptions: [{{name: rewrite}}]}}
                {to_plain}
              - matchers: [{{prefix: /own}}]
                options: {{prefixRewrite: /own-wins}}
                optionsConfigRefs: {{delegateOptions: [{{name: rewrite}}]}}
                {to_plain}
              - matchers: [{{prefix: /secured}}]
                optionsConfigRefs: {{delegateOptions: [{{name: secured}}]}}
                {to_plain}
              - matchers: [{{prefix: /}}]
                {to_plain}
            """,
    })
    gateway = GlooHashi(config, directory / "gloo-hashi.log")
    envoy = Envoy(directory, gateway.xds_port, "DELTA_GRPC")
    try:
        eventually(lambda: request(port, "/ready")[0] == 200)
        yield {"port": port, "config": config, "backend": backend, "gateway": gateway}
    finally:
        envoy.stop()
        gateway.stop()
        backend.stop()


def request(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    except OSError:
        return None, {}, ""
    finally:
        connection.close()


def test_route_options_come_from_the_route_option_and_its_own_win(world):
    status, _, body = request(world["port"], "/rewrite/x")
    assert status == 200 and json.loads(body)["path"] == "/rewritten/x"
    status, _, body = request(world["port"], "/own/x")
    assert status == 200 and json.loads(body)["path"] == "/own-wins/x"


def test_a_route_naming_a_rejected_route_option_is_not_served(world):
    before = len(world["backend"].requests)
    assert request(world["port"], "/secured/x")[0] == 500
    assert len(world["backend"].requests) == before, "never forwarded without the option it could not enforce"
    reports = json.loads(world["gateway"].get("/debug/reports"))
    assert "RouteOption/gloo-system/secured" in json.dumps(reports)


def test_virtual_host_options_follow_their_resource_and_a_late_one_is_picked_up(world):
    port, config = world["port"], world["config"]
    assert request(port, "/anything")[1].get("x-team") == "blue"
    reports = json.dumps(json.loads(world["gateway"].get("/debug/reports")))
    assert "VirtualHostOption gloo-system/later does not exist" in reports
    # An edit of the VirtualHostOption alone reaches Envoy.
    write_tree(config, {f"{VHO}/team-headers": header_option("x-team", "green")})
    eventually(lambda: request(port, "/anything")[1].get("x-team") == "green")
    # The missing one arrives: its options apply where the first leaves them unset.
    write_tree(config, {f"{VHO}/later": header_option("x-late", "yes") + "  retries: {retryOn: 5xx, numRetries: 2}\n"})
    eventually(lambda: "VirtualHostOption gloo-system/later does not exist"
               not in json.dumps(json.loads(world["gateway"].get("/debug/reports"))))
    headers = request(port, "/anything")[1]
    assert headers.get("x-team") == "green" and "x-late" not in headers, "the first reference's headers win"
