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
# Each attempt builds into an empty directory of its own. DIR ends up holding the one that
# succeeded and nothing else: DIR may be absent, empty, or a previous publish (it holds the
# marker file .rdns-publish), which is replaced whole by a rename beside it; any other non-empty
# DIR is refused before anything is built, so no file of another build or program survives there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: deploy/publish.sh DIR [linux-x64|linux-arm64]}"
rid="${2:-linux-x64}"
marker=.rdns-publish
out="${out%/}"
# A symbolic link (/opt/rdns -> /opt/rdns-1.2): what it points at is replaced, the link stays.
if [ -L "$out" ]; then out="$(readlink -f "$out")"; fi
[ -n "$out" ] || { echo "rdns: refusing to publish into /" >&2; exit 2; }

if [ -e "$out" ] && [ ! -d "$out" ]; then
  echo "rdns: $out exists and is not a directory" >&2
  exit 2
fi
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -f "$out/$marker" ]; then
  echo "rdns: $out is not empty and is not a previous publish (no $marker in it); refusing to mix" \
    "this build with its files: give an empty or absent directory, or empty this one first" >&2
  exit 2
fi

stage="$(mktemp -d "${TMPDIR:-/tmp}/rdns-publish.XXXXXX")"
parent="$(dirname "$out")"
next="$parent/.$(basename "$out").publishing.$$"
old="$parent/.$(basename "$out").replaced.$$"
trap 'rm -rf "$stage" "$next" "$old"' EXIT
log="$stage/publish.log"
common=(-c Release -r "$rid" -p:DebugType=none -p:GenerateDocumentationFile=false --nologo -v quiet -clp:NoSummary)

attempt() {
  local kind="$1"
  shift
  rm -rf "$stage/out"
  mkdir -p "$stage/out"
  echo "rdns: publishing ($kind) for $rid..." >&2
  dotnet publish "$here/src/Rdns/Rdns.csproj" "${common[@]}" -o "$stage/out" "$@" >>"$log" 2>&1 \
    && echo "rdns publish ($kind, $rid) $(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$stage/out/$marker"
}

if ! { { command -v clang >/dev/null 2>&1 && attempt "Native AOT" -p:PublishAot=true -p:StripSymbols=true; } \
  || attempt ReadyToRun --self-contained true -p:PublishReadyToRun=true \
  || attempt "self-contained" --self-contained true; }; then
  cat "$log" >&2
  echo "rdns: publish failed" >&2
  exit 1
fi

if [ -d "$out" ] && [ -z "$(ls -A "$out")" ]; then
  # An empty directory (perhaps made for us, in a parent we may not write): fill it, keeping its
  # mode (copying "." would give it the build directory's).
  mode="$(stat -c %a "$out")"
  cp -a "$stage/out/." "$out/"
  chmod "$mode" "$out"
else
  # Absent, or a previous publish: the new build is put together beside DIR (same file system)
  # and renamed into place, so DIR never holds a mix of two builds.
  mkdir -p "$parent"
  rm -rf "$next"
  mkdir "$next"
  cp -a "$stage/out/." "$next/"
  # The replacement keeps the directory's mode (and owner, where we may set it).
  if [ -d "$out" ]; then
    chmod --reference="$out" "$next"
    chown --reference="$out" "$next" 2>/dev/null || true
  else
    chmod "$(printf '%o' $((0777 & ~$(umask))))" "$next"
  fi
  if [ ! -d "$out" ]; then
    mv -T "$next" "$out"
  elif grep -q -- '--exchange' < <(mv --help 2>/dev/null); then
    # One atomic exchange (renameat2 RENAME_EXCHANGE, coreutils 9.5 and later).
    mv --exchange -T "$next" "$out" && rm -rf "$next"
  else
    # Two renames: for an instant DIR is absent, never half old and half new.
    mv -T "$out" "$old"
    mv -T "$next" "$out"
    rm -rf "$old"
  fi
fi
echo "rdns: published $("$out/rdns" version 2>/dev/null || echo '?') for $rid to $out" >&2
