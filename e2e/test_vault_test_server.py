"""The Vault test server (hashi-test-servers vault) checked with an independent client, hvac, so
the Vault client and the test server cannot share one misunderstanding of the API (REFERENCE.md
section 5): KV v2 with versions, check-and-set, soft delete and metadata; KV v1; mount versions;
tokens with TTL and renewal; AppRole; 403 for a bad token; 503 while sealed."""

import subprocess
import urllib.request

import hvac
import hvac.exceptions
import pytest

import xds_fixtures as fx


class VaultServer:
    def __init__(self):
        self.process = subprocess.Popen([fx.binary("hashi-test-servers"), "vault", "--root-token", "root"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().split()
        assert line and line[0] == "vault", "the Vault test server did not start"
        self.address = f"http://{line[1]}"

    def control(self, name, **query):
        params = "&".join(f"{key}={value}" for key, value in query.items())
        request = urllib.request.Request(f"{self.address}/_test/{name}?{params}", method="PUT")
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.read()

    def control_get(self, name):
        with urllib.request.urlopen(f"{self.address}/_test/{name}", timeout=5) as response:
            return response.read()

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture
def vault():
    server = VaultServer()
    yield server
    server.stop()


def test_kv2_versions_cas_delete_and_list(vault):
    client = hvac.Client(url=vault.address, token="root")
    kv = client.secrets.kv.v2
    path = "gloo/gloo.solo.io/v1/Secret/gloo-system/tls"
    first = kv.create_or_update_secret(path=path, secret={"tls": {"certChain": "A"}}, cas=0)
    assert first["data"]["version"] == 1
    with pytest.raises(hvac.exceptions.InvalidRequest):
        kv.create_or_update_secret(path=path, secret={"tls": {"certChain": "B"}}, cas=0)
    assert kv.create_or_update_secret(path=path, secret={"tls": {"certChain": "B"}}, cas=1)["data"]["version"] == 2
    read = kv.read_secret_version(path=path, raise_on_deleted_version=True)
    assert read["data"]["data"] == {"tls": {"certChain": "B"}} and read["data"]["metadata"]["version"] == 2
    assert kv.read_secret_version(path=path, version=1, raise_on_deleted_version=True)["data"]["data"]["tls"]["certChain"] == "A"
    metadata = kv.read_secret_metadata(path=path)
    assert metadata["data"]["current_version"] == 2 and set(metadata["data"]["versions"]) == {"1", "2"}
    # LIST as GET ?list=true: SwiftNIO's HTTP parser does not accept the LIST verb, so the test
    # server (and gloo-hashi's client) use Vault's documented GET form.
    def listed(folder):
        return client.adapter.get(f"/v1/secret/metadata/{folder}", params={"list": "true"})["data"]["keys"]

    assert listed("gloo/gloo.solo.io/v1/Secret/") == ["gloo-system/"]
    assert listed("gloo/gloo.solo.io/v1/Secret/gloo-system") == ["tls"]
    with pytest.raises(hvac.exceptions.InvalidPath):
        listed("nothing/here")

    # A soft-deleted latest version reads as absent, with its metadata.
    kv.delete_latest_version_of_secret(path=path)
    with pytest.raises(hvac.exceptions.InvalidPath):
        kv.read_secret_version(path=path, raise_on_deleted_version=True)
    assert kv.read_secret_metadata(path=path)["data"]["versions"]["2"]["deletion_time"] != ""
    kv.delete_metadata_and_all_versions(path=path)
    with pytest.raises(hvac.exceptions.InvalidPath):
        kv.read_secret_metadata(path=path)


def test_kv1_and_mount_versions(vault):
    vault.control("mount", path="legacy", version=1)
    client = hvac.Client(url=vault.address, token="root")
    client.secrets.kv.v1.create_or_update_secret(path="gloo/tls", secret={"tls.crt": "C", "tls.key": "K"}, mount_point="legacy")
    assert client.secrets.kv.v1.read_secret(path="gloo/tls", mount_point="legacy")["data"] == {"tls.crt": "C", "tls.key": "K"}
    assert client.adapter.get("/v1/legacy/gloo", params={"list": "true"})["data"]["keys"] == ["tls"]
    assert client.read("sys/internal/ui/mounts/legacy/gloo/tls")["data"]["options"]["version"] == "1"
    assert client.read("sys/internal/ui/mounts/secret/data/x")["data"]["options"]["version"] == "2"


def test_tokens_approle_forbidden_and_sealed(vault):
    token = vault.control("token", ttl=60, max_ttl=120).decode()
    token = __import__("json").loads(token)["token"]
    client = hvac.Client(url=vault.address, token=token)
    looked_up = client.auth.token.lookup_self()["data"]
    assert looked_up["renewable"] and 0 < looked_up["ttl"] <= 60
    vault.control("clock", advance=50)
    renewed = client.auth.token.renew_self(increment="1h")["auth"]
    assert renewed["lease_duration"] <= 70, "never past the max TTL (120 s from creation)"
    vault.control("clock", advance=121)
    with pytest.raises(hvac.exceptions.Forbidden):
        client.auth.token.lookup_self()

    vault.control("approle", role_id="role", secret_id="secret", ttl=30)
    login = hvac.Client(url=vault.address)
    auth = login.auth.approle.login(role_id="role", secret_id="secret")["auth"]
    assert auth["lease_duration"] == 30 and auth["client_token"]
    with pytest.raises(hvac.exceptions.InvalidRequest):
        hvac.Client(url=vault.address).auth.approle.login(role_id="role", secret_id="wrong")

    with pytest.raises(hvac.exceptions.Forbidden):
        hvac.Client(url=vault.address, token="nope").secrets.kv.v2.read_secret_version(path="x", raise_on_deleted_version=True)
    vault.control("seal", sealed="true")
    with pytest.raises(hvac.exceptions.VaultDown):
        hvac.Client(url=vault.address, token="root").secrets.kv.v2.read_secret_version(path="x", raise_on_deleted_version=True)


def test_pki_issues_certificates_signed_by_the_mount_ca(vault, tmp_path):
    ca = __import__("json").loads(vault.control("pki-role", mount="pki", role="gateway", max_ttl=3600))["ca"]
    client = hvac.Client(url=vault.address, token="root")
    issued = client.secrets.pki.generate_certificate(name="gateway", common_name="app.example.com",
                                                     extra_params={"alt_names": "www.example.com", "ttl": "2h"}, mount_point="pki")
    data = issued["data"]
    assert data["issuing_ca"] == ca and data["ca_chain"] == [ca] and "PRIVATE KEY" in data["private_key"]
    (tmp_path / "leaf.pem").write_text(data["certificate"])
    (tmp_path / "ca.pem").write_text(ca)
    # openssl verifies the chain and shows the names; the role capped the TTL at one hour.
    verified = subprocess.run(["openssl", "verify", "-CAfile", str(tmp_path / "ca.pem"), str(tmp_path / "leaf.pem")],
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    text = subprocess.run(["openssl", "x509", "-noout", "-text", "-in", str(tmp_path / "leaf.pem")], capture_output=True, text=True).stdout
    assert "DNS:www.example.com" in text and "DNS:app.example.com" in text
    assert data["expiration"] - __import__("time").time() <= 3600 + 5
    with pytest.raises(hvac.exceptions.InvalidRequest):
        client.secrets.pki.generate_certificate(name="nobody", common_name="x", mount_point="pki")
