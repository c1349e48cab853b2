package org.volumedriver.libvirt.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.libvirt.Connect;
import org.volumedriver.libvirt.ReconcileAction;
import org.volumedriver.libvirt.ReconcileReport;
import org.volumedriver.libvirt.internal.LibvirtSessions;
import org.volumedriver.libvirt.internal.LibvirtSettings;
import org.volumedriver.libvirt.internal.LibvirtSettings.ReconcilePolicy;
import org.volumedriver.libvirt.internal.TestConfigs;
import org.volumedriver.libvirt.internal.VolumeReconcilerImpl;
import org.volumedriver.testsupport.FakeVolumeDriver;
import org.volumedriver.testsupport.FakeVolumeDrivers;
import org.volumedriver.testsupport.TcgDomains;

/**
 * Reconciliation of 200 defined domains with 4 file disks each on libvirt's test:///default, the
 * disks spread over 50 mount directories of a fake driver on a real temporary directory (so that
 * the driver's symlink checks touch the file system). Times the first reconciliation (adopts all
 * 800), then steady-state ones (everything recorded) and dry runs. A main-method harness, not JMH:
 * each run is a whole scan of the hypervisor. See README.md for the command.
 */
public final class ReconcileBenchmark {

    static final int DOMAINS = 200;
    static final int DISKS = 4;
    static final int MOUNTS = 50;

    private ReconcileBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path base = Files.createTempDirectory("reconcile-bench");
        FakeVolumeDriver driver = FakeVolumeDriver.onBase("fake", base);
        for (int m = 0; m < MOUNTS; m++) {
            driver.mounted(Files.createDirectory(base.resolve("m" + m)), FakeVolumeDriver.FSTYPE);
        }
        Connect keep = new Connect("test:///default");
        List<String> names = new ArrayList<>();
        for (int d = 0; d < DOMAINS; d++) {
            StringBuilder disks = new StringBuilder();
            for (int k = 0; k < DISKS; k++) {
                Path file = base.resolve("m" + ((d * DISKS + k) % MOUNTS)).resolve("volume-" + d + "-" + k);
                disks.append("<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='").append(file)
                        .append("'/><target dev='vd").append((char) ('b' + k)).append("' bus='virtio'/></disk>\n");
            }
            String name = "bench-" + d;
            keep.domainDefineXML(TcgDomains.named(name).devices(disks.toString()).xml()).free();
            names.add(name);
        }
        LibvirtSettings settings = new LibvirtSettings("test:///default", Duration.ofSeconds(1), Duration.ofMillis(50),
                TestConfigs.defaultPolicy(), new ReconcilePolicy(false, Duration.ZERO, false));
        LibvirtSessions sessions = LibvirtSessions.withSettings(settings);
        VolumeReconcilerImpl reconciler = new VolumeReconcilerImpl(FakeVolumeDrivers.of(driver), sessions);
        try {
            ReconcileReport first = reconciler.reconcile(false);
            System.out.printf("first reconciliation: %d domains, %d adopted in %d ms%n", first.domains(),
                    first.count(ReconcileAction.ADOPTED), first.took().toMillis());
            report("steady state (800 recorded, all untouched)", reconciler, false, runs);
            report("dry run", reconciler, true, runs);
        } finally {
            for (String name : names) {
                keep.domainLookupByName(name).undefine();
            }
            reconciler.deactivate();
            sessions.close();
            keep.close();
        }
    }

    private static void report(String what, VolumeReconcilerImpl reconciler, boolean dryRun, int runs) {
        List<Duration> took = new ArrayList<>();
        long untouched = 0;
        for (int i = 0; i < runs; i++) {
            ReconcileReport report = reconciler.reconcile(dryRun);
            took.add(report.took());
            untouched = report.count(ReconcileAction.UNTOUCHED);
        }
        took.sort(Comparator.naturalOrder());
        System.out.printf("%s: %d runs, %d untouched each, min %d ms, median %d ms, p90 %d ms%n", what, runs, untouched,
                took.get(0).toMillis(), took.get(runs / 2).toMillis(), took.get(runs * 9 / 10).toMillis());
    }
}
