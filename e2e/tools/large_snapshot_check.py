"""Decodes a full-size snapshot (10,000 clusters and load assignments, a 5,000-host
RouteConfiguration of 50,000 routes) from xds-fixture-server with the official Python types.
A manual scale check, not part of CI: .venv-xds/bin/python e2e/tools/large_snapshot_check.py"""

import queue
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import grpc
import xds_fixtures as fx
from envoy.service.discovery.v3 import ads_pb2_grpc, discovery_pb2
from envoy.config.route.v3 import route_pb2
from envoy.config.cluster.v3 import cluster_pb2
from test_xds_conformance import node
res = []
for i in range(10000):
    res.append(fx.cluster(f"c{i}"))
    res.append(fx.load_assignment(f"c{i}", 8080))
res.append(fx.listener("http", 18081, "routes"))
hosts = [{"name": f"vh{i}", "domains": [f"vs-{i}.example.com"], "routes": [
    {"match": {"prefix": f"/api/r{r}", "headers": [{"name": "x-variant", "string_match": {"exact": "b"}}]},
     "route": {"cluster": f"c{(i*10+r)%10000}", "prefix_rewrite": "/", "timeout": "5s"}} for r in range(10)]} for i in range(5000)]
res.append({"@type": fx.ROUTE, "name": "routes", "virtual_hosts": hosts})
fx.FixtureServer.wait_for.__kwdefaults__["timeout"] = 280
d = Path(tempfile.mkdtemp())
t0=time.time()
server = fx.FixtureServer(d, res)
print("published", time.time()-t0)
ch = grpc.insecure_channel(f"127.0.0.1:{server.port}", options=[("grpc.max_receive_message_length", 1<<30)])
stub = ads_pb2_grpc.AggregatedDiscoveryServiceStub(ch)
reqs = [discovery_pb2.DiscoveryRequest(node=node(), type_url=fx.CLUSTER),
        discovery_pb2.DiscoveryRequest(type_url=fx.ROUTE, resource_names=["routes"])]
q=queue.Queue()
for r in reqs: q.put(r)
call = stub.StreamAggregatedResources(iter(q.get, None))
for _ in range(2):
    m = next(call)
    print(m.type_url, len(m.resources), m.ByteSize())
    for a in m.resources[:3]:
        t = cluster_pb2.Cluster() if "Cluster" in a.type_url else route_pb2.RouteConfiguration()
        a.Unpack(t)
    if "Route" in m.type_url:
        rc = route_pb2.RouteConfiguration(); m.resources[0].Unpack(rc); print("vhosts", len(rc.virtual_hosts))
q.put(None); server.stop()
