#!/usr/bin/env bash
# Issue #13 item 7: the hot routes of the earlier FastAPI app and of service-mesh builds, one after the other in one run,
# with the same load tool (HotRoutesLoad) and the same settings. Each server runs alone while it is measured.
#   side-by-side.sh <load-tool.dll> <label>=<service-mesh binary> [<label>=<binary> ...]
# e.g. side-by-side.sh tests/ServiceMesh.Benchmarks/bin/Release/net10.0/ServiceMesh.Benchmarks.dll before=/tmp/base/service-mesh after=/tmp/after/service-mesh
# LOAD_ARGS (default "--connections 16 --seconds 10 --warmup 2") is passed to every run. The FastAPI app needs
# python3-fastapi and python3-uvicorn (Debian) for /usr/bin/python3; it is skipped when they are missing.
set -euo pipefail
tool=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
load_args=${LOAD_ARGS:---connections 16 --seconds 10 --warmup 2}
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 100); do curl -fsS -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not answering: $1" >&2; return 1; }

if /usr/bin/python3 -c 'import fastapi, uvicorn' 2>/dev/null; then
  port=$(free_port)
  /usr/bin/python3 -m uvicorn app:app --app-dir "$here/earlier-fastapi" --host 127.0.0.1 --port "$port" --no-access-log --log-level warning &
  pid=$!
  wait_for "http://127.0.0.1:$port/health"
  # shellcheck disable=SC2086
  dotnet "$tool" load --api "http://127.0.0.1:$port/" --label FastAPI --routes health,register $load_args || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
fi

for target in "$@"; do
  label=${target%%=*}; binary=${target#*=}
  root=$(mktemp -d "${TMPDIR:-/tmp}/hot-routes-$label-XXXX")
  mkdir -p "$root"/{config,certificates,envoy-configs,data,logs}
  http=$(free_port); consul=$(free_port)
  env SERVICE_MESH_HOST=127.0.0.1 HTTP_PORT="$http" EMBEDDED_CONSUL_HTTP_PORT="$consul" EMBEDDED_CONSUL_HTTPS_PORT="$(free_port)" \
      EMBEDDED_DNS_PORT="$(free_port)" CONFIG_PATH="$root/config" CERTIFICATES_PATH="$root/certificates" ENVOY_CONFIG_PATH="$root/envoy-configs" \
      DATA_PATH="$root/data" LOGS_PATH="$root/logs" LOG_LEVEL=WARNING "$binary" > "$root/logs/stdout.log" 2>&1 &
  pid=$!
  wait_for "http://127.0.0.1:$http/health"
  # shellcheck disable=SC2086
  dotnet "$tool" load --api "http://127.0.0.1:$http/" --consul "http://127.0.0.1:$consul/" --label "$label" $load_args || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$root"
done
