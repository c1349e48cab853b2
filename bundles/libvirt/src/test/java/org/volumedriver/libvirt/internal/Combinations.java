package org.volumedriver.libvirt.internal;

import java.util.ArrayList;
import java.util.List;

import org.volumedriver.spi.DiskSpec;

/** Every allowed combination of format, cache, io, bus and read-only under the default allowlists. */
final class Combinations {

    static final String SOURCE = "/var/lib/volumedriver/mnt/c94ed34ada0acf45c1213beb1fc52ce6/volume-6f2c1b7e-1d8a-4a7e-9c2f-0b3c8e1d5a11";
    static final String SERIAL = "6f2c1b7e-1d8a-4a7e-9c2f-0b3c8e1d5a11";

    record Case(String format, String cache, String io, String bus, boolean readOnly) {

        String name() {
            return format + " " + cache + " " + io + " " + bus + " " + (readOnly ? "ro" : "rw");
        }

        DiskSpec spec() {
            return DiskSpec.builder()
                    .sourceType("file")
                    .sourcePath(SOURCE)
                    .format(format)
                    .cache(cache)
                    .io(io)
                    .target(bus.equals("virtio") ? "vdb" : "sdb", bus)
                    .serial(SERIAL)
                    .readOnly(readOnly)
                    .discard(readOnly ? null : "unmap")
                    .build();
        }

        @Override
        public String toString() {
            return name();
        }
    }

    private Combinations() {
    }

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        for (String format : List.of("raw", "qcow2")) {
            for (String cache : List.of("none", "writethrough", "writeback", "directsync", "unsafe", "default")) {
                for (String io : List.of("native", "threads")) {
                    for (String bus : List.of("virtio", "scsi", "sata")) {
                        for (boolean readOnly : List.of(false, true)) {
                            cases.add(new Case(format, cache, io, bus, readOnly));
                        }
                    }
                }
            }
        }
        return cases;
    }
}
