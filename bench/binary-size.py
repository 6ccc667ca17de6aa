#!/usr/bin/env python3
"""What the Native AOT binary is made of, from the compiler's map file: bytes by node kind and by
the leading parts of each node's name (assembly and namespace). Used for "Where the memory goes
with Native AOT" in docs/BENCHMARKS.md.

    dotnet publish src/Rdns/Rdns.csproj -c Release -r linux-x64 -p:PublishAot=true -p:IlcGenerateMapFile=true -o OUT
    bench/binary-size.py src/Rdns/obj/Release/net10.0/linux-x64/native/rdns.map.xml
"""
import collections
import re
import sys

node = re.compile(r'<(\w+) Name="([^"]*)" Length="(\d+)"')
kinds, origins = collections.Counter(), collections.Counter()
with open(sys.argv[1]) as f:
    for line in f:
        m = node.search(line)
        if not m:
            continue
        kind, name, length = m.group(1), m.group(2), int(m.group(3))
        kinds[kind] += length
        name = re.sub(r"^_ZTV\d+", "", name)
        origins["_".join(name.split("_")[:3])] += length
print(f"{sum(kinds.values()):>12} bytes in all")
for kind, size in kinds.most_common(12):
    print(f"{size:>12} {kind}")
print()
for origin, size in origins.most_common(40):
    print(f"{size:>12} {origin}")
