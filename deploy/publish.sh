#!/usr/bin/env bash
# Publishes rdns as a self-contained linux program: DIR/rdns runs on a machine without .NET (the
# runtime travels inside), precompiled (ReadyToRun) so it answers sooner after a start.
#
#   deploy/publish.sh DIR [RID]      # RID: linux-x64 (default) or linux-arm64
#   ./rdns publish DIR [RID]         # the same
#
# Needs the .NET SDK here, once; the result needs nothing but glibc and the files in DIR.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: deploy/publish.sh DIR [linux-x64|linux-arm64]}"
rid="${2:-linux-x64}"
dotnet publish "$here/src/Rdns/Rdns.csproj" -c Release -r "$rid" --self-contained true \
  -p:PublishReadyToRun=true -p:DebugType=none -p:GenerateDocumentationFile=false \
  -o "$out" --nologo -v quiet -clp:NoSummary >&2
echo "rdns: published $("$out/rdns" version 2>/dev/null || echo '?') for $rid to $out" >&2
