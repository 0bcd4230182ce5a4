"""The ADS port over TLS and mTLS, and Envoys whose group has no snapshot yet."""

import subprocess

import grpc
import pytest
from envoy.config.core.v3 import base_pb2
from envoy.service.discovery.v3 import ads_pb2_grpc, discovery_pb2

import xds_fixtures as fx
from test_xds_conformance import Stream, node, snapshot


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def pki(tmp_path):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
            "-subj", "/CN=test-ca", cwd=tmp_path)
    for name, extension in (("server", "subjectAltName=IP:127.0.0.1,DNS:localhost"), ("client", "extendedKeyUsage=clientAuth")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={name}", cwd=tmp_path)
        (tmp_path / f"{name}.ext").write_text(extension + "\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "1", "-extfile", f"{name}.ext", cwd=tmp_path)
    return tmp_path


def first_cds(channel):
    stub = ads_pb2_grpc.AggregatedDiscoveryServiceStub(channel)
    request = discovery_pb2.DiscoveryRequest(node=node(), type_url=fx.CLUSTER)
    return next(iter(stub.StreamAggregatedResources(iter([request]), timeout=10)))


def test_tls(tmp_path, pki):
    server = fx.FixtureServer(tmp_path, snapshot(["a"]), [
        "--tls-cert", str(pki / "server.pem"), "--tls-key", str(pki / "server.key")])
    try:
        credentials = grpc.ssl_channel_credentials(root_certificates=(pki / "ca.pem").read_bytes())
        with grpc.secure_channel(f"127.0.0.1:{server.port}", credentials) as channel:
            assert first_cds(channel).type_url == fx.CLUSTER
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            with pytest.raises(grpc.RpcError):
                first_cds(channel)
    finally:
        server.stop()


def test_mutual_tls_requires_a_client_certificate(tmp_path, pki):
    server = fx.FixtureServer(tmp_path, snapshot(["a"]), [
        "--tls-cert", str(pki / "server.pem"), "--tls-key", str(pki / "server.key"), "--client-ca", str(pki / "ca.pem")])
    try:
        with_client = grpc.ssl_channel_credentials(
            root_certificates=(pki / "ca.pem").read_bytes(),
            private_key=(pki / "client.key").read_bytes(), certificate_chain=(pki / "client.pem").read_bytes())
        with grpc.secure_channel(f"127.0.0.1:{server.port}", with_client) as channel:
            assert first_cds(channel).type_url == fx.CLUSTER
        without_client = grpc.ssl_channel_credentials(root_certificates=(pki / "ca.pem").read_bytes())
        with grpc.secure_channel(f"127.0.0.1:{server.port}", without_client) as channel:
            with pytest.raises(grpc.RpcError):
                first_cds(channel)
    finally:
        server.stop()


def test_envoy_of_an_unknown_group_waits_and_is_visible(tmp_path):
    server = fx.FixtureServer(tmp_path, snapshot(["a"]))
    stream = Stream(server.port)
    try:
        other = base_pb2.Node(id="lonely-envoy")
        other.metadata.fields["role"].string_value = "other-ns~other-proxy"
        stream.send(discovery_pb2.DiscoveryRequest(node=other, type_url=fx.CLUSTER))
        waiting = server.wait_for("waiting", where=lambda e: e["node"] == "lonely-envoy")
        assert waiting["group"] == "other-ns~other-proxy"
        stream.nothing(wait=1.0)  # not an empty config: nothing at all
    finally:
        stream.close()
        server.stop()
