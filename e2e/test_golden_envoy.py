"""Golden translator outputs are not trusted because gloo-hashi wrote them: each must decode as
the official Envoy types with no unknown fields, pass protoc-gen-validate, and load in real Envoy
(`envoy --mode validate`, which also catches duplicate domains, bad regexes and dangling
clusters)."""

import copy
import json
import subprocess
from pathlib import Path

import pytest
from envoy.config.cluster.v3 import cluster_pb2
from envoy.config.endpoint.v3 import endpoint_pb2
from envoy.config.listener.v3 import listener_pb2
from envoy.config.route.v3 import route_pb2, scoped_route_pb2
from envoy.config.trace.v3 import opentelemetry_pb2, zipkin_pb2  # noqa: F401
from envoy.extensions.access_loggers.file.v3 import file_pb2  # noqa: F401 (registers the Any type)
from envoy.extensions.compression.gzip.compressor.v3 import gzip_pb2  # noqa: F401
from envoy.extensions.filters.http.buffer.v3 import buffer_pb2  # noqa: F401
from envoy.extensions.filters.http.compressor.v3 import compressor_pb2  # noqa: F401
from envoy.extensions.filters.http.cors.v3 import cors_pb2  # noqa: F401
from envoy.extensions.filters.http.csrf.v3 import csrf_pb2  # noqa: F401
from envoy.extensions.filters.http.fault.v3 import fault_pb2  # noqa: F401
from envoy.extensions.filters.http.health_check.v3 import health_check_pb2  # noqa: F401
from envoy.extensions.filters.http.local_ratelimit.v3 import local_rate_limit_pb2  # noqa: F401
from envoy.extensions.filters.http.lua.v3 import lua_pb2  # noqa: F401
from envoy.extensions.filters.http.router.v3 import router_pb2  # noqa: F401
from envoy.extensions.filters.listener.proxy_protocol.v3 import proxy_protocol_pb2  # noqa: F401
from envoy.extensions.filters.listener.tls_inspector.v3 import tls_inspector_pb2  # noqa: F401
from envoy.extensions.filters.network.http_connection_manager.v3 import http_connection_manager_pb2  # noqa: F401
from envoy.extensions.filters.network.local_ratelimit.v3 import local_rate_limit_pb2 as network_local_rate_limit_pb2  # noqa: F401
from envoy.extensions.filters.network.tcp_proxy.v3 import tcp_proxy_pb2  # noqa: F401
from envoy.extensions.http.header_formatters.preserve_case.v3 import preserve_case_pb2  # noqa: F401
from envoy.extensions.transport_sockets.proxy_protocol.v3 import upstream_proxy_protocol_pb2  # noqa: F401
from envoy.extensions.transport_sockets.raw_buffer.v3 import raw_buffer_pb2  # noqa: F401
from envoy.extensions.transport_sockets.tls.v3 import tls_pb2  # noqa: F401
from envoy.extensions.transport_sockets.tls.v3 import secret_pb2
from envoy.extensions.upstreams.http.v3 import http_protocol_options_pb2  # noqa: F401
from google.protobuf import json_format
from protoc_gen_validate.validator import validate

from envoy_runner import envoy_binary
from xds_fixtures import ROOT

GOLDEN = ROOT / "Tests" / "TranslatorTests" / "Golden"
FILES = sorted(GOLDEN.glob("*/*.json"))
TYPES = {"clusters": cluster_pb2.Cluster, "endpoints": endpoint_pb2.ClusterLoadAssignment,
         "listeners": listener_pb2.Listener, "routes": route_pb2.RouteConfiguration,
         "scoped_routes": scoped_route_pb2.ScopedRouteConfiguration, "secrets": secret_pb2.Secret}


def test_there_are_golden_files():
    assert len(FILES) >= 9


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_output_is_valid_envoy_config(path: Path, tmp_path):
    document = json.loads(path.read_text())
    for kind, message_type in TYPES.items():
        for resource in document[kind]:
            message = json_format.ParseDict(resource, message_type())  # fails on unknown fields
            validate(message)
    bootstrap = static_bootstrap(document, stand_in_files(tmp_path))
    config = tmp_path / "bootstrap.json"
    config.write_text(json.dumps(bootstrap))
    result = subprocess.run([envoy_binary(), "--mode", "validate", "-c", str(config), "--log-level", "error"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def stand_in_files(directory):
    """A certificate, key and CA on disk, standing in for the files `sslFiles` names."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "test.key",
                    "-out", "test.pem", "-days", "2", "-subj", "/CN=golden"], cwd=directory, check=True, capture_output=True)
    return {"key": str(directory / "test.key"), "pem": str(directory / "test.pem"), "log": str(directory / "access.log")}


def local_files(node, files):
    """Points every `filename` data source and access log at stand-in files, and drops
    `sds_config` so that SDS names refer to the bootstrap's static secrets."""
    if isinstance(node, dict):
        if "filename" in node and len(node) == 1:
            return {"filename": files["key"] if node["filename"].endswith(".key") else files["pem"]}
        if node.get("@type", "").endswith("FileAccessLog") and not node.get("path", "").startswith("/dev/"):
            node = dict(node, path=files["log"])
        return {key: local_files(value, files) for key, value in node.items() if key != "sds_config"}
    if isinstance(node, list):
        return [local_files(item, files) for item in node]
    return node


def static_bootstrap(document, files):
    """The translated resources as a static Envoy bootstrap: RDS inlined, scoped RDS made inline
    scopes with inline routes (the scopes of the chain's xdstp collection only), EDS made static,
    SDS secrets static, files on disk."""
    document = local_files(document, files)
    routes = {route["name"]: route for route in document["routes"]}
    endpoints = {assignment["cluster_name"]: assignment for assignment in document["endpoints"]}
    listeners = []
    for listener in copy.deepcopy(document["listeners"]):
        for chain in listener.get("filter_chains", []):
            for network_filter in chain.get("filters", []):
                config = network_filter.get("typed_config", {})
                if "rds" in config:
                    name = config.pop("rds")["route_config_name"]
                    config["route_config"] = routes[name]
                if "scoped_rds" in (scoped := config.get("scoped_routes", {})):
                    collection = scoped.pop("scoped_rds")["srds_resources_locator"][:-1]
                    scopes = [scope for scope in document["scoped_routes"] if scope["name"].startswith(collection)]
                    assert scopes, f"no scope in {collection}*"
                    scoped["scoped_route_configurations_list"] = {"scoped_route_configurations": [
                        {"name": scope["name"], "key": scope["key"],
                         "route_configuration": routes[scope["route_configuration_name"]]} for scope in scopes]}
        listeners.append(listener)
    clusters = []
    for cluster in copy.deepcopy(document["clusters"]):
        if cluster.get("type") == "EDS":
            cluster["type"] = "STATIC"
            cluster.pop("eds_cluster_config", None)
            cluster["load_assignment"] = endpoints.get(cluster["name"], {"cluster_name": cluster["name"]})
        clusters.append(cluster)
    return {"node": {"id": "validate", "cluster": "gateway"},
            "static_resources": {"listeners": listeners, "clusters": clusters, "secrets": document["secrets"]}}
