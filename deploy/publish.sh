#!/usr/bin/env bash
# Publishes rdns as a self-contained linux program: DIR/rdns runs on a machine without .NET.
# Native AOT where it can be built (one native executable, no runtime or JIT: less memory, a
# faster start); else ReadyToRun with the runtime inside; else a plain self-contained publish.
#
#   deploy/publish.sh DIR [RID]      # RID: linux-x64 (default) or linux-arm64
#   ./rdns publish DIR [RID]         # the same
#
# Needs the .NET SDK here, once, and for Native AOT clang and zlib (Debian: clang zlib1g-dev) and
# the ILCompiler package from NuGet; the result needs nothing but glibc and the files in DIR.
# Each attempt builds into an empty directory of its own; the one that succeeds is copied to DIR.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: deploy/publish.sh DIR [linux-x64|linux-arm64]}"
rid="${2:-linux-x64}"
stage="$(mktemp -d "${TMPDIR:-/tmp}/rdns-publish.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
log="$stage/publish.log"
common=(-c Release -r "$rid" -p:DebugType=none -p:GenerateDocumentationFile=false --nologo -v quiet -clp:NoSummary)

attempt() {
  local kind="$1"
  shift
  rm -rf "$stage/out"
  mkdir -p "$stage/out"
  echo "rdns: publishing ($kind) for $rid..." >&2
  dotnet publish "$here/src/Rdns/Rdns.csproj" "${common[@]}" -o "$stage/out" "$@" >>"$log" 2>&1
}

if { command -v clang >/dev/null 2>&1 && attempt "Native AOT" -p:PublishAot=true -p:StripSymbols=true; } \
  || attempt ReadyToRun --self-contained true -p:PublishReadyToRun=true \
  || attempt "self-contained" --self-contained true; then
  mkdir -p "$out"
  cp -a "$stage/out/." "$out/"
else
  cat "$log" >&2
  echo "rdns: publish failed" >&2
  exit 1
fi
echo "rdns: published $("$out/rdns" version 2>/dev/null || echo '?') for $rid to $out" >&2
