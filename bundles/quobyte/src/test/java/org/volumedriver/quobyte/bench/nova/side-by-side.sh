#!/usr/bin/env bash
# The product's hot connect beside Nova Zed's, in one run: builds the FUSE stand-in, then
# alternates the product's benchmark (QuobyteBenchmark#hotPathConnectToAMountedHealthyExport) and
# nova_connect_bench.py for a number of rounds (default 3), and prints both medians and p99s per
# round with the ratio Nova / product.
#
# Usage (root, Debian 12, python3-nova installed, the project built once so that `mvn -o` resolves):
#   side-by-side.sh [rounds] [nova calls]
# PRODUCT_MVN_ARGS adds Maven arguments to the product's side (e.g. -Dbench.nosync=true; not the default).
# Everything runs in one private mount namespace, as scripts/test does; nothing mounted outlives it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../../../../../../../.." && pwd)"
rounds="${1:-3}"
nova_calls="${2:-2000}"

die() { echo "side-by-side: $*" >&2; exit 2; }
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "rounds must be a positive integer, got '$rounds'"
[[ "$nova_calls" =~ ^[1-9][0-9]*$ ]] || die "nova calls must be a positive integer, got '$nova_calls'"
[ "$(id -u)" = 0 ] || die "run as root: both sides mount the FUSE stand-in"
[ -f "$repo/bundles/quobyte/pom.xml" ] || die "cannot find the project root from $here"
/usr/bin/python3 -c 'import nova.virt.libvirt.volume.quobyte' 2>/dev/null \
  || die "Nova Zed is missing: apt-get install -y --no-install-recommends python3-nova"

if [ -z "${VOLUMEDRIVER_BENCH_NAMESPACE:-}" ]; then
  exec env VOLUMEDRIVER_BENCH_NAMESPACE=1 unshare --mount --propagation private -- "$0" "$@"
fi
# Inside the private namespace from here on; / shared among its own mounts, as on a systemd host.
mount --make-rshared /
export VOLUMEDRIVER_REAL_TESTS=required

work="$(mktemp -d /tmp/nova-side-by-side.XXXXXX)"
standin="$("$repo/itests/quobyte-standin/build.sh" "$work/standin")"
echo "side-by-side: logs in $work; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# "<median us> <p99 us>" from a "[bench] hot path connect ..." or "[nova] hot connect: ..." line
numbers() {
  /usr/bin/python3 -c '
import re, sys
line = sys.stdin.read()
def us(name):
    m = re.search(name + r" ([0-9.]+) (us|µs|ms)", line)
    if not m:
        sys.exit("no %s in: %s" % (name, line.strip() or "(no result line)"))
    return float(m.group(1)) * (1000 if m.group(2) == "ms" else 1)
print("%.1f %.1f" % (us("median"), us("p99")))'
}

product_round() {
  local log="$work/product-$1.log"
  if ! (cd "$repo" && mvn -B -q -o test -pl bundles/quobyte \
        -Dtest='QuobyteBenchmark#hotPathConnectToAMountedHealthyExport' -Dsurefire.failIfNoSpecifiedTests=false \
        ${PRODUCT_MVN_ARGS:-}) >"$log" 2>&1; then
    tail -30 "$log" >&2
    die "the product's benchmark failed (round $1, log $log)"
  fi
  grep -m1 '\[bench\] hot path connect' "$log" | numbers
}

nova_round() {
  local log="$work/nova-$1.log"
  if ! /usr/bin/python3 "$here/nova_connect_bench.py" --standin "$standin" --calls "$nova_calls" >"$log" 2>&1; then
    tail -30 "$log" >&2
    die "the Nova benchmark failed (round $1, log $log)"
  fi
  grep -m1 '^\[nova\] hot connect:' "$log" | numbers
}

results=()
for round in $(seq 1 "$rounds"); do
  echo "side-by-side: round $round/$rounds: product ..."
  product="$(product_round "$round")"
  echo "side-by-side: round $round/$rounds: nova ..."
  nova="$(nova_round "$round")"
  results+=("$round $product $nova")
done

printf '%s\n' "${results[@]}" | /usr/bin/python3 -c '
import sys
rows = [line.split() for line in sys.stdin if line.strip()]
print()
print("| round | product median us | product p99 us | Nova median us | Nova p99 us | Nova/product median | Nova/product p99 | target (median <= Nova/5, p99 <= 1000 us) |")
print("|---|---|---|---|---|---|---|---|")
for r, pm, pp, nm, np in rows:
    pm, pp, nm, np = map(float, (pm, pp, nm, np))
    ok = pm <= nm / 5 and pp <= 1000
    print("| %s | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %s |" % (r, pm, pp, nm, np, nm / pm, np / pp, "met" if ok else "missed"))
'
echo
grep -h '^\[nova\]' "$work"/nova-1.log | grep -v 'hot connect:' || true
grep -h '^\[bench\]' "$work"/product-1.log || true
