package org.volumedriver.libvirt.bench;

import java.util.concurrent.TimeUnit;

import org.libvirt.Domain;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.volumedriver.libvirt.internal.DiskPolicy;
import org.volumedriver.libvirt.internal.DiskXml;
import org.volumedriver.libvirt.internal.Libvirt;
import org.volumedriver.libvirt.internal.TestConfigs;
import org.volumedriver.libvirt.internal.Xml;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.testsupport.TcgDomains;

/**
 * Disk XML for one disk: allowlist check plus StAX writing (the hot path), the same plus libvirt's
 * RELAX NG schema (what the tests add), and the libvirt round trip (define, read back, undefine on
 * test:///default; not a hot path, report its median). See README.md for the command.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DiskXmlBenchmark {

    private DiskPolicy policy;
    private DiskSpec spec;
    private Libvirt libvirt;
    private int counter;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        policy = TestConfigs.defaultPolicy();
        spec = DiskSpec.builder()
                .sourceType("file")
                .sourcePath("/var/lib/volumedriver/mnt/c94ed34ada0acf45c1213beb1fc52ce6/volume-6f2c1b7e-1d8a-4a7e-9c2f-0b3c8e1d5a11")
                .format("qcow2")
                .cache("none")
                .io("native")
                .target("vdb", "virtio")
                .serial("6f2c1b7e-1d8a-4a7e-9c2f-0b3c8e1d5a11")
                .discard("unmap")
                .build();
        libvirt = Libvirt.open("test:///default");
        // load the schema once, outside the measurement
        Xml.validateDomain(TcgDomains.named("warm").devices(DiskXml.write(DiskXml.check(policy, "quobyte", spec, w -> { }))).xml());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        libvirt.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public String checkAndWrite() throws Exception {
        return DiskXml.write(DiskXml.check(policy, "quobyte", spec, w -> { }));
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public String checkWriteAndSchemaValidate() throws Exception {
        String disk = DiskXml.write(DiskXml.check(policy, "quobyte", spec, w -> { }));
        Xml.validateDomain(TcgDomains.named("bench").devices(disk).xml());
        return disk;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public String libvirtRoundTrip() throws Exception {
        String disk = DiskXml.write(DiskXml.check(policy, "quobyte", spec, w -> { }));
        Domain dom = libvirt.connect().domainDefineXML(TcgDomains.named("bench-" + (counter++)).devices(disk).xml());
        try {
            return dom.getXMLDesc(0);
        } finally {
            dom.undefine();
        }
    }
}
