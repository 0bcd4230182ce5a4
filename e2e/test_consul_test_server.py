"""The Consul test server checked with an independent client, py-consul (PyPI; it reports indexes as strings), so that our
client and our test server cannot share one misunderstanding of Consul's API: KV reads with
their index, 404s, CAS, recurse and keys listings, blocking queries that return on a change, and
ACL tokens."""

import threading
import time

import consul
import pytest

from envoy_runner import eventually
from test_consul_kv import ConsulServer


@pytest.fixture
def server():
    running = ConsulServer()
    yield running
    running.stop()


def client(server, token=None):
    host, port = server.address.rsplit(":", 1)
    return consul.Consul(host=host, port=int(port), token=token)


def test_kv_reads_writes_and_cas(server):
    kv = client(server).kv
    index, missing = kv.get("gloo/missing")
    assert missing is None and int(index) > 0, "a 404 still carries X-Consul-Index"
    assert kv.put("gloo/a", "one") is True
    index, item = kv.get("gloo/a")
    assert item["Value"] == b"one" and item["ModifyIndex"] == int(index)
    assert kv.put("gloo/a", "two", cas=item["ModifyIndex"] + 5) is False, "a stale cas loses"
    assert kv.put("gloo/a", "two", cas=item["ModifyIndex"]) is True
    assert kv.put("gloo/b", "new", cas=0) is True and kv.put("gloo/b", "again", cas=0) is False
    _, items = kv.get("gloo/", recurse=True)
    assert [i["Key"] for i in items] == ["gloo/a", "gloo/b"] and items[0]["Value"] == b"two"
    _, keys = kv.get("gloo/", keys=True)
    assert keys == ["gloo/a", "gloo/b"]
    _, b = kv.get("gloo/b")
    assert kv.delete("gloo/b", cas=b["ModifyIndex"] + 1) is False and kv.delete("gloo/b", cas=b["ModifyIndex"]) is True
    assert kv.get("gloo/b")[1] is None


def test_blocking_query_returns_on_a_change(server):
    kv = client(server).kv
    kv.put("gloo/watched", "v1")
    index, _ = kv.get("gloo/", recurse=True)
    answers = []
    # The wait is five minutes: an answer before the join gives up came from the change.
    reader = threading.Thread(target=lambda: answers.append(kv.get("gloo/", recurse=True, index=index, wait="5m")))
    reader.start()
    eventually(lambda: server.blocked() == 1)
    assert not answers, "the query blocks while nothing changes"
    client(server).kv.put("gloo/watched", "v2")
    reader.join(timeout=60)
    assert answers, "the change ended the blocking query"
    new_index, items = answers[0]
    assert int(new_index) > int(index) and items[0]["Value"] == b"v2"


def test_acl_tokens():
    secured = ConsulServer(token="root-token")
    try:
        assert client(secured, token="root-token").kv.put("gloo/x", "1") is True
        with pytest.raises(consul.ACLPermissionDenied):
            client(secured, token="wrong").kv.get("gloo/x")
    finally:
        secured.stop()


def test_sessions_and_locks(server):
    c = client(server)
    first = c.session.create(name="first", ttl=15, behavior="delete", lock_delay=1)
    second = c.session.create(name="second", ttl=15, behavior="delete", lock_delay=1)
    assert c.kv.put("gloo/.control/leader", "a", acquire=first) is True
    assert c.kv.put("gloo/.control/leader", "b", acquire=second) is False
    _, held = c.kv.get("gloo/.control/leader")
    assert held["Session"] == first and held["LockIndex"] == 1
    assert c.session.renew(first)["ID"] == first
    destroyed = time.monotonic()
    c.session.destroy(first)
    early = c.kv.put("gloo/.control/leader", "b", acquire=second)
    if time.monotonic() - destroyed < 0.9:  # a loaded machine may take the whole delay to ask
        assert early is False, "the lock delay runs"
    assert c.kv.get("gloo/.control/leader")[1] is None or early, "behavior delete removes the held key"
    with pytest.raises(consul.NotFound):
        c.session.renew(first)  # an unknown session renews to a 404
    eventually(lambda: c.kv.put("gloo/.control/leader", "b", acquire=second))
    assert time.monotonic() - destroyed >= 0.9, "the lock was free again only after the one-second lock delay"
    assert [s["Name"] for s in c.session.list()[1]] == ["second"]


def test_txn(server):
    import base64
    c = client(server)
    result = c.txn.put([{"KV": {"Verb": "set", "Key": "gloo/t", "Value": base64.b64encode(b"1").decode()}}])
    index = result["Results"][0]["KV"]["ModifyIndex"]
    with pytest.raises(consul.ConsulException):
        c.txn.put([{"KV": {"Verb": "set", "Key": "gloo/u", "Value": ""}},
                   {"KV": {"Verb": "check-index", "Key": "gloo/t", "Index": index + 7}}])
    assert c.kv.get("gloo/u")[1] is None, "a rolled-back transaction wrote nothing"


def test_catalog_and_health(server):
    c = client(server)
    c.catalog.register("n1", "10.0.0.1", service={"Service": "web", "ID": "web-1", "Port": 8080, "Tags": ["v1"]},
                       check={"CheckID": "service:web-1", "Status": "passing", "ServiceID": "web-1"})
    c.catalog.register("n2", "10.0.0.2", service={"Service": "web", "ID": "web-2", "Port": 8080},
                       check={"CheckID": "service:web-2", "Status": "critical", "ServiceID": "web-2"})
    c.catalog.register("n3", "10.0.0.3", service={"Service": "db", "ID": "db-1", "Port": 5432}, dc="dc2")
    assert c.catalog.datacenters() == ["dc1", "dc2"]
    _, services = c.catalog.services()
    assert services == {"web": ["v1"]}
    _, instances = c.catalog.service("web")
    assert [i["ServiceID"] for i in instances] == ["web-1", "web-2"] and instances[0]["Address"] == "10.0.0.1"
    index, passing = c.health.service("web", passing=True)
    assert [e["Service"]["ID"] for e in passing] == ["web-1"]
    answers = []
    reader = threading.Thread(target=lambda: answers.append(c.health.service("web", passing=True, index=index, wait="5m")))
    reader.start()
    eventually(lambda: server.blocked() == 1)
    assert not answers
    client(server).catalog.register("n2", "10.0.0.2", check={"CheckID": "service:web-2", "Status": "passing", "ServiceID": "web-2"})
    reader.join(timeout=60)
    assert [e["Service"]["ID"] for e in answers[0][1]] == ["web-1", "web-2"], "the check change ended the blocking query"
    client(server).catalog.deregister("n2", service_id="web-2")
    assert [i["ServiceID"] for i in c.catalog.service("web")[1]] == ["web-1"]
    assert c.catalog.service("db", dc="dc2")[1][0]["ServicePort"] == 5432
    # The agent's service maintenance mode: a critical _service_maintenance:<id> check, then gone.
    assert c.agent.service.maintenance("web-1", "true", reason="upgrade")
    checks = [check for entry in c.health.service("web")[1] for check in entry["Checks"]]
    assert {"CheckID": "_service_maintenance:web-1", "Status": "critical"}.items() <= next(
        check for check in checks if check["CheckID"].startswith("_service_maintenance")).items()
    assert c.health.service("web", passing=True)[1] == []
    assert c.agent.service.maintenance("web-1", "false")
    assert [e["Service"]["ID"] for e in c.health.service("web", passing=True)[1]] == ["web-1"]
