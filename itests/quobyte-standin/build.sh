#!/bin/sh
# Builds the FUSE stand-in for the Quobyte client (a test fixture, never the product's client).
# Usage: build.sh <output directory>    Prints the absolute path of the binary.
# Needs gcc and Debian's libfuse3-dev (pkg-config fuse3).
set -eu
out="${1:?usage: build.sh <output directory>}"
src="$(cd "$(dirname "$0")" && pwd)/quobyte-standin.c"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# shellcheck disable=SC2046
gcc -O2 -Wall -Wextra -Wno-format-truncation -Werror -o "$out/quobyte-standin.tmp" "$src" $(pkg-config --cflags --libs fuse3)
chmod 0755 "$out/quobyte-standin.tmp"
mv -f "$out/quobyte-standin.tmp" "$out/quobyte-standin"
echo "$out/quobyte-standin"
