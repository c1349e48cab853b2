package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.volumedriver.testsupport.TcgDomains;
import org.xml.sax.SAXException;

/**
 * Golden files for every allowed combination, each also validated against libvirt's own RELAX NG
 * schema. Regenerate after a reviewed change with {@code -Dgolden.update=true}.
 */
class DiskXmlGoldenTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden/disks.txt");

    static String render(List<Combinations.Case> cases) throws Exception {
        DiskPolicy policy = TestConfigs.defaultPolicy();
        StringBuilder out = new StringBuilder();
        for (Combinations.Case c : cases) {
            List<String> warnings = new ArrayList<>();
            String xml = DiskXml.write(DiskXml.check(policy, "quobyte", c.spec(), warnings::add));
            out.append("## ").append(c.name()).append(warnings.isEmpty() ? "" : " (warning: io=threads)").append('\n');
            out.append(xml).append("\n\n");
        }
        return out.toString();
    }

    @Test
    void everyAllowedCombinationMatchesItsGoldenFile() throws Exception {
        String actual = render(Combinations.all());
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(GOLDEN, actual, StandardCharsets.UTF_8);
        }
        String expected = Files.readString(GOLDEN, StandardCharsets.UTF_8);
        assertEquals(expected, actual, "disk XML differs from " + GOLDEN + " (review, then -Dgolden.update=true)");
        assertEquals(144, Combinations.all().size());
    }

    @Test
    void everyGoldenDiskValidatesAgainstLibvirtsSchema() throws Exception {
        String golden = Files.readString(GOLDEN, StandardCharsets.UTF_8);
        int validated = 0;
        for (String block : golden.split("\n\n")) {
            if (block.isBlank()) {
                continue;
            }
            String disk = block.substring(block.indexOf('\n') + 1);
            Xml.validateDomain(TcgDomains.named("golden").devices(disk).xml());
            validated++;
        }
        assertEquals(144, validated);
    }

    @Test
    void theSchemaCheckCanFail() throws Exception {
        // proves the validator is live: libvirt's schema refuses an unknown cache mode and a vmdk-free typo
        String bad = "<disk type='file' device='disk'><driver name='qemu' type='raw' cache='bogus'/>"
                + "<source file='/x'/><target dev='vdb' bus='virtio'/></disk>";
        assertThrows(SAXException.class, () -> Xml.validateDomain(TcgDomains.named("bad").devices(bad).xml()));
        String twoSources = "<disk type='file' device='disk'><source file='/x'/><source file='/y'/><target dev='vdb'/></disk>";
        assertThrows(SAXException.class, () -> Xml.validateDomain(TcgDomains.named("bad").devices(twoSources).xml()));
    }

    @Test
    void nativeIoWithoutDirectCacheBecomesThreads() throws Exception {
        String golden = Files.readString(GOLDEN, StandardCharsets.UTF_8);
        for (String block : golden.split("\n\n")) {
            if (block.isBlank()) {
                continue;
            }
            String header = block.substring(0, block.indexOf('\n'));
            boolean direct = header.contains(" none ") || header.contains(" directsync ");
            if (block.contains("io=\"native\"")) {
                assertTrue(direct, header);
            }
        }
    }
}
