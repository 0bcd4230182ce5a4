#!/usr/bin/env bash
# The scale benchmarks: scripts/bench.sh [--quick] [--debug]
#   --quick  every scenario at small sizes (under a minute; CI runs it only to keep the harness
#            working and checks no time)
#   --debug  use the debug build instead of building in release mode (faster to build, slower
#            to run: never quote its figures)
# Figures go in BENCHMARKS.md with the command that produced them.
set -euo pipefail
cd "$(dirname "$0")/.."

configuration=release
arguments=()
for argument in "$@"; do
  case "$argument" in
    --debug) configuration=debug ;;
    *) arguments+=("$argument") ;;
  esac
done
swift build -c "$configuration" --product gloo-hashi-bench
swift build -c "$configuration" --product gloo-hashi
swift build -c "$configuration" --product hashi-test-servers
bin="$(swift build -c "$configuration" --show-bin-path)"
"$bin/gloo-hashi-bench" "${arguments[@]}"
# The Consul KV watch: the generated tree in the Consul test server, single-key edits.
"$bin/gloo-hashi-bench" "${arguments[@]}" --consul-watch
# Secrets from Vault: TLS Secrets in the Vault test server, one rotated at a time.
"$bin/gloo-hashi-bench" "${arguments[@]}" --vault-secrets

# Scenario 3: real Envoy ingestion (needs the venvs scripts/test.sh creates).
if [ -x .venv-envoy/bin/envoy ] && [ -x .venv-xds/bin/python ]; then
  ingestion=()
  for argument in "${arguments[@]}"; do
    case "$argument" in --quick|--scale|[0-9]*) ingestion+=("$argument") ;; esac
  done
  .venv-xds/bin/python Benchmarks/envoy-ingestion/ingestion.py "$bin" "${ingestion[@]}"
else
  echo "scenario 3 skipped: run scripts/test.sh once to create .venv-envoy and .venv-xds"
fi
