#!/usr/bin/env bash
# Bootstrap: build the typed build (build/_build.csproj) and run it with the arguments.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v dotnet >/dev/null 2>&1; then
  echo "dotnet not found: install the .NET 10 SDK (https://dot.net; on Debian: apt-get install dotnet-sdk-10.0 from Microsoft's package feed) and run ./build.sh again." >&2
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The build runs from its own output folder so that compiling the solution never overwrites the running build.
OUT="$ROOT/.nuke/temp/build"
LOG="$ROOT/.nuke/temp/bootstrap.log"
mkdir -p "$ROOT/.nuke/temp"
dotnet build "$ROOT/build/_build.csproj" -o "$OUT" -v quiet -nologo -clp:NoSummary /nodeReuse:false -p:UseSharedCompilation=false >"$LOG" 2>&1 || {
  cat "$LOG" >&2
  echo "build.sh: compiling build/_build.csproj failed (output above)." >&2
  exit 1
}
exec dotnet "$OUT/_build.dll" --root "$ROOT" "$@"
