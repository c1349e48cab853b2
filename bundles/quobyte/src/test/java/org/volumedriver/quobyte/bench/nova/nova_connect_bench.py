#!/usr/bin/python3
"""Times Nova Zed's own LibvirtQuobyteVolumeDriver.connect_volume on a healthy mount.

The Quobyte client is the project's FUSE stand-in, reached as `mount.quobyte` through PATH. Nova is
set up as nova-compute sets itself up (eventlet monkey patching, nova.conf parsed by
nova.config.parse_args, oslo.log, privsep initialised), with the default configuration apart from
`[libvirt] quobyte_mount_point_base`, which points into a temporary directory.

The first connect mounts; then --calls connects of new attachments (a fresh connection_info and a
fresh Instance each) are timed on that mount, after --warmup untimed ones. Output, one line:
  [nova] hot connect: median X us, p90 Y us, p99 Z us, n=N
Everything mounted under the temporary directory is unmounted at the end, also on error.
Run as root inside `unshare --mount --propagation private` (side-by-side.sh does both).
"""

import argparse
import os
import sys

MISSING_NOVA = 2
BAD_SETUP = 3
MEASUREMENT_FAILED = 4

EXPORT = "quobyte://10.0.0.1/hot"
VOLUME = "volume-6f2c0a4e-3c1b-4d5e-9f00-123456789abc"


def fail(code, message):
    print("[nova] error: " + message, file=sys.stderr)
    sys.exit(code)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--standin", required=True, help="the quobyte-standin binary (itests/quobyte-standin/build.sh)")
    parser.add_argument("--calls", type=int, default=2000, help="timed connects (default 2000)")
    parser.add_argument("--warmup", type=int, default=200, help="untimed connects first (default 200)")
    parser.add_argument("--privsep", choices=("direct", "daemon"), default="direct",
                        help="direct: privsep entrypoints run in this root process (default); "
                             "daemon: Nova's default, a privsep-helper daemon started on first use")
    parser.add_argument("--no-eventlet", action="store_true", help="skip nova-compute's eventlet monkey patching")
    args = parser.parse_args()
    if args.calls < 1 or args.warmup < 0:
        fail(BAD_SETUP, "--calls must be at least 1 and --warmup at least 0")
    if not (os.path.isfile(args.standin) and os.access(args.standin, os.X_OK)):
        fail(BAD_SETUP, "--standin %s is not an executable file" % args.standin)
    return args


def check_environment():
    if os.geteuid() != 0:
        fail(BAD_SETUP, "must run as root (it mounts a FUSE file system)")
    if not in_own_mount_namespace():
        fail(BAD_SETUP, "run inside `unshare --mount --propagation private` so that no mount reaches the host")
    if not os.path.exists("/dev/fuse"):
        fail(BAD_SETUP, "/dev/fuse is missing")


def in_own_mount_namespace():
    """True if PID 1 or some ancestor (whichever can be read) is in another mount namespace."""
    own = os.readlink("/proc/self/ns/mnt")
    pid = os.getppid()
    candidates = [1]
    while pid > 1:
        candidates.append(pid)
        try:
            with open("/proc/%d/stat" % pid) as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            break
    for candidate in candidates:
        try:
            if os.readlink("/proc/%d/ns/mnt" % candidate) != own:
                return True
        except OSError:
            continue  # not ours to read (containers); try the next ancestor
    return False


def import_nova(eventlet):
    """Imports Nova as nova-compute does: monkey patching first (nova/cmd/__init__.py)."""
    try:
        if eventlet:
            import nova.monkey_patch  # noqa: F401
        import nova.virt.libvirt.volume.quobyte  # noqa: F401
    except ImportError as e:
        fail(MISSING_NOVA, "Nova Zed is not importable by %s (%s); install it with "
             "`apt-get install -y --no-install-recommends python3-nova` and run this with /usr/bin/python3"
             % (sys.executable, e))


def prepare_workdir(standin):
    """A private copy of the stand-in (its store lives next to it) and PATH's mount.quobyte."""
    import shutil
    import tempfile
    work = tempfile.mkdtemp(prefix="nova-quobyte-bench.")
    client = os.path.join(work, "client")
    path_dir = os.path.join(work, "path")
    os.makedirs(client)
    os.makedirs(path_dir)
    binary = os.path.join(client, "quobyte-standin")
    shutil.copy2(standin, binary)
    os.symlink(binary, os.path.join(path_dir, "mount.quobyte"))
    # the stand-in's store for this export, with the volume file in it
    store = os.path.join(client, "store", "".join("_" if c in "/:,[]|" else c for c in EXPORT[len("quobyte://"):]))
    os.makedirs(store)
    open(os.path.join(store, VOLUME), "wb").close()
    config = os.path.join(work, "nova.conf")
    with open(config, "w") as f:
        f.write("[libvirt]\nquobyte_mount_point_base = %s\n" % os.path.join(work, "mnt"))
    os.environ["PATH"] = path_dir + ":" + os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
    return work, config


def configure_nova(config, privsep_mode):
    """nova-compute's start-up (nova/cmd/compute.py) minus RPC, database and service."""
    import shlex
    from oslo_log import log as logging
    from oslo_privsep import priv_context
    from nova import config as nova_config
    from nova import objects
    from nova import utils
    import nova.conf
    import nova.privsep

    nova_config.parse_args(["nova-compute", "--config-file", config], configure_db=False, init_rpc=False)
    logging.setup(nova.conf.CONF, "nova")
    priv_context.init(root_helper=shlex.split(utils.get_root_helper()))
    objects.register_all()
    if privsep_mode == "direct":
        # the in-process mode oslo.privsep offers (Nova's own tests use it); we already are root
        nova.privsep.sys_admin_pctxt.set_client_mode(False)
    else:
        # Nova's default command is `sudo nova-rootwrap ... privsep-helper`; as root, start it directly
        nova.privsep.sys_admin_pctxt.helper_command = [
            "privsep-helper", "--config-file", config, "--privsep_context", "nova.privsep.sys_admin_pctxt",
            "--privsep_sock_path", os.path.join(os.path.dirname(config), "privsep.sock")]
    return nova.conf.CONF


def count_processes():
    """Counts every process Nova starts: all of them go through processutils.execute (also in privsep)."""
    from oslo_concurrency import processutils
    started = [0]
    original = processutils.execute

    def counting_execute(*args, **kwargs):
        started[0] += 1
        return original(*args, **kwargs)

    processutils.execute = counting_execute
    return started


def new_attachment(objects, uuidutils):
    instance = objects.Instance(uuid=uuidutils.generate_uuid(), display_name="bench", host="compute-bench")
    connection_info = {
        "driver_volume_type": "quobyte",
        "serial": uuidutils.generate_uuid(),
        "data": {"export": EXPORT, "name": VOLUME, "format": "raw", "options": None,
                 "qos_specs": None, "access_mode": "rw", "encrypted": False},
    }
    return connection_info, instance


def mounted_fstype(mount_path):
    """The fstype the kernel shows for mount_path, or None (read independently of Nova)."""
    fstype = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == mount_path:
                fstype = fields[fields.index("-") + 1]  # the last mount on a path is the visible one
    return fstype


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))]


def measure(args, driver, first, objects, uuidutils, started):
    import time
    info, instance = first
    mount_path = driver._get_mount_path(info)
    t0 = time.perf_counter_ns()
    driver.connect_volume(info, instance)
    first_ms = (time.perf_counter_ns() - t0) / 1e6
    # Nova's connect only logs a mount that fails validation; check the kernel's table ourselves
    if mounted_fstype(mount_path) != "fuse.quobyte":
        raise RuntimeError("the first connect did not leave a fuse.quobyte mount on %s" % mount_path)
    print("[nova] first connect (mount.quobyte run: %d process(es)): %.1f ms, mount %s"
          % (started[0], first_ms, mount_path), flush=True)

    attachments = [new_attachment(objects, uuidutils) for _ in range(args.warmup + args.calls)]
    for info, instance in attachments[:args.warmup]:
        driver.connect_volume(info, instance)
    started_before = started[0]
    nanos = []
    for info, instance in attachments[args.warmup:]:
        t0 = time.perf_counter_ns()
        driver.connect_volume(info, instance)
        nanos.append(time.perf_counter_ns() - t0)
    if started[0] != started_before:
        raise RuntimeError("the hot connects started %d process(es)" % (started[0] - started_before))
    if mounted_fstype(mount_path) != "fuse.quobyte":
        raise RuntimeError("the mount on %s went away during the hot connects" % mount_path)
    nanos.sort()
    print("[nova] hot connect: median %.1f us, p90 %.1f us, p99 %.1f us, n=%d"
          % (percentile(nanos, 0.5) / 1e3, percentile(nanos, 0.9) / 1e3, percentile(nanos, 0.99) / 1e3, len(nanos)),
          flush=True)
    print("[nova] hot connect details: min %.1f us, max %.1f us, processes started 0, warm-up %d, mount table %d entries"
          % (nanos[0] / 1e3, nanos[-1] / 1e3, args.warmup, sum(1 for _ in open("/proc/self/mounts"))), flush=True)


def clean_up(work, driver, info):
    """Nova's own disconnect first, then a lazy unmount of anything still under the work directory."""
    import shutil
    import subprocess
    if driver is not None and info is not None:
        try:
            driver.disconnect_volume(info, None)
        except Exception as e:  # the fallback below still unmounts
            print("[nova] disconnect_volume failed: %s" % e, file=sys.stderr)
    with open("/proc/self/mountinfo") as f:
        leftovers = [line.split()[4] for line in f if line.split()[4].startswith(work + "/")]
    for mount_point in reversed(leftovers):
        subprocess.run(["umount", "-l", mount_point], check=False)
    shutil.rmtree(work, ignore_errors=True)


def main():
    args = parse_arguments()
    check_environment()
    import_nova(not args.no_eventlet)
    import signal
    # SIGTERM/SIGHUP unwind through the finally below, so the mount never outlives a killed run
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: sys.exit(128 + signum))

    from oslo_utils import uuidutils
    from nova import objects
    from nova.virt.libvirt.volume import quobyte

    work, config = prepare_workdir(args.standin)
    driver = info = None
    try:
        configure_nova(config, args.privsep)
        started = count_processes()
        # connect_volume never touches the libvirt Host; nova-compute passes its own, needing python3-libvirt
        driver = quobyte.LibvirtQuobyteVolumeDriver(None)
        print("[nova] Nova %s, systemd detected: %s, privsep: %s, eventlet: %s"
              % (nova_version(), quobyte.is_systemd(), args.privsep, not args.no_eventlet), flush=True)
        first = new_attachment(objects, uuidutils)
        info = first[0]
        measure(args, driver, first, objects, uuidutils, started)
    except Exception as e:
        print("[nova] error: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return MEASUREMENT_FAILED
    finally:
        clean_up(work, driver, info)
    return 0


def nova_version():
    from nova import version
    return version.version_string()


if __name__ == "__main__":
    sys.exit(main())
