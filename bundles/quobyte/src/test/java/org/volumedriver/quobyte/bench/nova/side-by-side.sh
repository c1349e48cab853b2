#!/usr/bin/env bash
# The product's hot connect beside Nova Zed's, in one run: builds the FUSE stand-in, then
# alternates the product's benchmark (QuobyteBenchmark#hotPathConnectToAMountedHealthyExport) and
# nova_connect_bench.py for a number of rounds (default 3), and prints both medians and p99s per
# round with the ratio Nova / product.
#
# Usage (root, Debian 12, python3-nova installed, the project built once so that `mvn -o` resolves):
#   side-by-side.sh [rounds] [nova calls]
# PRODUCT_MVN_ARGS adds Maven arguments to the product's side (e.g. -Dbench.journal.sync=true; not the default).
# MAX_LOAD=<1-minute load average> makes each round wait until the host is that quiet (at most
# MAX_LOAD_WAIT_S seconds, default 900; a round that starts above it says so): on a shared build
# host other builds inflate both sides, the product's tail the most.
# Everything runs in one private mount namespace, as scripts/test does; nothing mounted outlives it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../../../../../../../.." && pwd)"
rounds="${1:-3}"
nova_calls="${2:-2000}"

die() { echo "side-by-side: $*" >&2; exit 2; }
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "rounds must be a positive integer, got '$rounds'"
[[ "$nova_calls" =~ ^[1-9][0-9]*$ ]] || die "nova calls must be a positive integer, got '$nova_calls'"
max_load="${MAX_LOAD:-}"
max_load_wait="${MAX_LOAD_WAIT_S:-900}"
[ -z "$max_load" ] || [[ "$max_load" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "MAX_LOAD must be a number, got '$max_load'"
[[ "$max_load_wait" =~ ^[0-9]+$ ]] || die "MAX_LOAD_WAIT_S must be a whole number of seconds, got '$max_load_wait'"
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

load1() { cut -d' ' -f1 /proc/loadavg; }

# waits (bounded) for the 1-minute load average to fall to MAX_LOAD; prints the load the round starts at
quiet_enough() {
  if [ -n "$max_load" ]; then
    local waited=0
    while awk -v l="$(load1)" -v m="$max_load" 'BEGIN { exit !(l > m) }' && [ "$waited" -lt "$max_load_wait" ]; do
      sleep 15
      waited=$((waited + 15))
    done
    if awk -v l="$(load1)" -v m="$max_load" 'BEGIN { exit !(l > m) }'; then
      echo "side-by-side: load still $(load1) > $max_load after ${waited}s; measuring anyway" >&2
    fi
  fi
  load1
}

results=()
for round in $(seq 1 "$rounds"); do
  load="$(quiet_enough)"
  echo "side-by-side: round $round/$rounds (load $load): product ..."
  product="$(product_round "$round")"
  echo "side-by-side: round $round/$rounds: nova ..."
  nova="$(nova_round "$round")"
  results+=("$round $load $product $nova")
done

printf '%s\n' "${results[@]}" | /usr/bin/python3 -c '
import sys
rows = [line.split() for line in sys.stdin if line.strip()]
print()
print("| round | load | product median us | product p99 us | Nova median us | Nova p99 us | Nova/product median | Nova/product p99 | target (median <= Nova/5, p99 <= 1000 us) |")
print("|---|---|---|---|---|---|---|---|---|")
for r, load, pm, pp, nm, np in rows:
    pm, pp, nm, np = map(float, (pm, pp, nm, np))
    ok = pm <= nm / 5 and pp <= 1000
    print("| %s | %s | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %s |" % (r, load, pm, pp, nm, np, nm / pm, np / pp, "met" if ok else "missed"))
def median(values):
    values = sorted(values)
    return values[len(values) // 2] if len(values) % 2 else (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2
pm = median([float(row[2]) for row in rows])
nm = median([float(row[4]) for row in rows])
print()
print("median of the rounds: product %.1f us, Nova %.1f us, Nova/product %.2f; rounds meeting the target: %d of %d"
      % (pm, nm, nm / pm, sum(1 for row in rows if float(row[2]) <= float(row[4]) / 5 and float(row[3]) <= 1000), len(rows)))
'
echo
grep -h '^\[nova\]' "$work"/nova-1.log | grep -v 'hot connect:' || true
grep -h '^\[bench\]' "$work"/product-1.log || true
