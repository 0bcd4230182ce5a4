"""Conformance of gloo-hashi's ADS server, checked with the official Envoy types (xds-protos),
grpcio and protoc-gen-validate: every resource decodes as its Envoy type with no unknown fields
and passes Envoy's validation rules; SotW and delta follow the protocol."""

import queue
import threading

import grpc
import pytest
from envoy.config.cluster.v3 import cluster_pb2
from envoy.config.core.v3 import base_pb2
from envoy.config.endpoint.v3 import endpoint_pb2
from envoy.config.listener.v3 import listener_pb2
from envoy.config.route.v3 import route_pb2
from envoy.extensions.filters.network.http_connection_manager.v3 import http_connection_manager_pb2
from envoy.service.discovery.v3 import ads_pb2_grpc, discovery_pb2
from google.protobuf import any_pb2, message, unknown_fields
from google.rpc import status_pb2
from protoc_gen_validate.validator import validate

import xds_fixtures as fx

TYPES = {
    fx.CLUSTER: cluster_pb2.Cluster,
    fx.ENDPOINT: endpoint_pb2.ClusterLoadAssignment,
    fx.LISTENER: listener_pb2.Listener,
    fx.ROUTE: route_pb2.RouteConfiguration,
    fx.HCM: http_connection_manager_pb2.HttpConnectionManager,
}


def assert_no_unknown_fields(msg: message.Message, path="") -> None:
    assert len(unknown_fields.UnknownFieldSet(msg)) == 0, f"unknown fields at {path or type(msg).__name__}"
    for field, value in msg.ListFields():
        if field.message_type is None:
            continue
        values = value if field.label == field.LABEL_REPEATED else [value]
        if field.message_type.GetOptions().map_entry:
            values = [v for v in value.values() if isinstance(v, message.Message)]
        for index, item in enumerate(values):
            if isinstance(item, any_pb2.Any) and item.type_url in TYPES:
                inner = TYPES[item.type_url]()
                assert item.Unpack(inner)
                assert_no_unknown_fields(inner, f"{path}.{field.name}[{index}]")
            elif isinstance(item, message.Message):
                assert_no_unknown_fields(item, f"{path}.{field.name}[{index}]")


def decode(resource: any_pb2.Any, type_url: str):
    assert resource.type_url == type_url
    decoded = TYPES[type_url]()
    assert resource.Unpack(decoded)
    assert_no_unknown_fields(decoded)
    validate(decoded)  # raises ValidationFailed like Envoy would
    return decoded


def node():
    result = base_pb2.Node(id="conformance-1", cluster="gateway")
    result.metadata.fields["role"].string_value = fx.GROUP
    return result


class Stream:
    """One ADS stream driven request by request."""

    def __init__(self, port, delta=False):
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        stub = ads_pb2_grpc.AggregatedDiscoveryServiceStub(self.channel)
        self.requests: "queue.Queue" = queue.Queue()
        self.responses: "queue.Queue" = queue.Queue()
        call = stub.DeltaAggregatedResources if delta else stub.StreamAggregatedResources
        self.call = call(iter(self.requests.get, None))
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for response in self.call:
                self.responses.put(response)
        except grpc.RpcError:
            pass

    def send(self, request):
        self.requests.put(request)

    def receive(self, timeout=10.0):
        return self.responses.get(timeout=timeout)

    def nothing(self, wait=0.5):
        with pytest.raises(queue.Empty):
            self.responses.get(timeout=wait)

    def close(self):
        self.requests.put(None)
        self.channel.close()


def snapshot(clusters, backend_port=18080, listener_port=18081):
    resources = []
    for name in clusters:
        resources += [fx.cluster(name), fx.load_assignment(name, backend_port)]
    resources += [fx.listener("http", listener_port, "http-routes"),
                  fx.route_config("http-routes", [fx.to_cluster("/", clusters[0])])]
    return resources


@pytest.fixture
def server(tmp_path):
    running = fx.FixtureServer(tmp_path, snapshot(["a", "b"]))
    yield running
    running.stop()


def test_state_of_the_world_session(server):
    stream = Stream(server.port)
    try:
        stream.send(discovery_pb2.DiscoveryRequest(node=node(), type_url=fx.CLUSTER))
        cds = stream.receive()
        assert cds.type_url == fx.CLUSTER and cds.nonce and cds.version_info
        assert sorted(decode(r, fx.CLUSTER).name for r in cds.resources) == ["a", "b"]

        stream.send(discovery_pb2.DiscoveryRequest(type_url=fx.ENDPOINT, resource_names=["a", "b"]))
        eds = stream.receive()
        assert sorted(decode(r, fx.ENDPOINT).cluster_name for r in eds.resources) == ["a", "b"]

        stream.send(discovery_pb2.DiscoveryRequest(type_url=fx.LISTENER))
        lds = stream.receive()
        listeners = [decode(r, fx.LISTENER) for r in lds.resources]
        assert [l.name for l in listeners] == ["http"]

        stream.send(discovery_pb2.DiscoveryRequest(type_url=fx.ROUTE, resource_names=["http-routes"]))
        rds = stream.receive()
        assert [decode(r, fx.ROUTE).name for r in rds.resources] == ["http-routes"]

        # ACK everything: nothing more is sent while nothing changes.
        for response in (cds, eds, lds, rds):
            names = [] if response.type_url in (fx.CLUSTER, fx.LISTENER) else (
                ["a", "b"] if response.type_url == fx.ENDPOINT else ["http-routes"])
            stream.send(discovery_pb2.DiscoveryRequest(
                type_url=response.type_url, version_info=response.version_info,
                response_nonce=response.nonce, resource_names=names))
        stream.nothing()

        # A change: a third cluster. CDS comes again with all three; EDS is not resent.
        server.publish(snapshot(["a", "b", "c"]))
        update = stream.receive()
        assert update.type_url == fx.CLUSTER
        assert sorted(decode(r, fx.CLUSTER).name for r in update.resources) == ["a", "b", "c"]
        stream.nothing()

        # NACK it: the server records it and does not resend the same content.
        stream.send(discovery_pb2.DiscoveryRequest(
            type_url=fx.CLUSTER, version_info=cds.version_info, response_nonce=update.nonce,
            error_detail=status_pb2.Status(code=3, message="conformance says no")))
        nack = server.wait_for("nack", where=lambda e: e["node"] == "conformance-1")
        assert nack["type"] == fx.CLUSTER and nack["message"] == "conformance says no"
        stream.nothing()
    finally:
        stream.close()


def test_delta_session(server):
    stream = Stream(server.port, delta=True)
    try:
        stream.send(discovery_pb2.DeltaDiscoveryRequest(node=node(), type_url=fx.CLUSTER))
        first = stream.receive()
        assert sorted(r.name for r in first.resources) == ["a", "b"]
        versions = {}
        for resource in first.resources:
            assert resource.version
            decode(resource.resource, fx.CLUSTER)
            versions[resource.name] = resource.version
        stream.send(discovery_pb2.DeltaDiscoveryRequest(type_url=fx.CLUSTER, response_nonce=first.nonce))
        stream.nothing()

        # One cluster changes: only that one is sent.
        resources = snapshot(["a", "b"])
        resources[2] = fx.cluster("b", connect_timeout="2s")
        server.publish(resources)
        changed = stream.receive()
        assert [r.name for r in changed.resources] == ["b"]
        assert decode(changed.resources[0].resource, fx.CLUSTER).connect_timeout.seconds == 2
        assert list(changed.removed_resources) == []
        stream.send(discovery_pb2.DeltaDiscoveryRequest(type_url=fx.CLUSTER, response_nonce=changed.nonce))

        # One cluster goes away: only its name, in removed_resources.
        resources = snapshot(["a"])
        server.publish(resources)
        removed = stream.receive()
        assert list(removed.resources) == [] and list(removed.removed_resources) == ["b"]
    finally:
        stream.close()

    # Reconnect with initial_resource_versions: only what differs is sent.
    again = Stream(server.port, delta=True)
    try:
        again.send(discovery_pb2.DeltaDiscoveryRequest(
            node=node(), type_url=fx.CLUSTER, initial_resource_versions={"a": versions["a"], "gone": "1"}))
        response = again.receive()
        assert list(response.resources) == []
        assert list(response.removed_resources) == ["gone"]
    finally:
        again.close()


def test_inconsistent_snapshot_is_refused_and_the_old_one_kept(server):
    refused = server.publish([fx.cluster("lonely")])
    assert refused["event"] == "refused"
    assert "references EDS 'lonely'" in refused["error"]
    stream = Stream(server.port)
    try:
        stream.send(discovery_pb2.DiscoveryRequest(node=node(), type_url=fx.CLUSTER))
        assert sorted(decode(r, fx.CLUSTER).name for r in stream.receive().resources) == ["a", "b"]
    finally:
        stream.close()
