package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Hostile strings in every field: the checks refuse them, and even the bare writer (which checks
 * nothing) escapes them so that the XML always parses to exactly one {@code <disk>} holding the
 * value verbatim.
 */
class DiskXmlInjectionTest {

    /** Printable payloads; control characters are covered by the rejection tests. */
    static final List<String> HOSTILE = List.of(
            "x'/><disk type='block'",
            "x\"/><disk type=\"block\"><source dev=\"/dev/sda\"/></disk><disk a=\"",
            "</source></disk><disk type='network'><source protocol='rbd' name='pool/img'/></disk>",
            "&xxe;",
            "&lt;disk&gt;",
            "<![CDATA[</disk>]]>",
            "<!--",
            "]]>",
            "<?xml version='1.0'?>",
            "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/shadow'>]>");

    private final DiskPolicy policy = TestConfigs.defaultPolicy();

    private static final List<BiFunction<DiskSpec.Builder, String, DiskSpec.Builder>> FIELDS = List.of(
            (b, v) -> b.sourceType(v),
            (b, v) -> b.sourcePath(v),
            (b, v) -> b.format(v),
            (b, v) -> b.cache(v),
            (b, v) -> b.io(v),
            (b, v) -> b.target(v, "virtio"),
            (b, v) -> b.target("vdb", v),
            (b, v) -> b.serial(v),
            (b, v) -> b.discard(v));

    private static final List<String> FIELD_NAMES = List.of("disk.source.type", "disk.source.path", "disk.format", "disk.cache",
            "disk.io", "disk.target.dev", "disk.target.bus", "disk.serial", "disk.discard");

    @Test
    void everyFieldRefusesEveryPayload() {
        int refused = 0;
        for (int f = 0; f < FIELDS.size(); f++) {
            for (String payload : HOSTILE) {
                DiskSpec spec = FIELDS.get(f).apply(DiskXmlRejectionTest.good(), payload).build();
                InvalidConnectionInfoException e = assertThrows(InvalidConnectionInfoException.class,
                        () -> DiskXml.check(policy, "quobyte", spec, w -> { }), FIELD_NAMES.get(f) + " " + payload);
                assertEquals(FIELD_NAMES.get(f), e.field());
                refused++;
            }
        }
        assertEquals(FIELDS.size() * HOSTILE.size(), refused);
    }

    @Test
    void theWriterEscapesEveryPayloadInEveryField() throws Exception {
        for (String payload : HOSTILE) {
            DiskSpec spec = DiskSpec.builder()
                    .sourceType("file")
                    .sourcePath(payload)
                    .format(payload)
                    .cache(payload)
                    .io(payload)
                    .target(payload, payload)
                    .serial(payload)
                    .discard(payload)
                    .build();
            String xml = DiskXml.write(spec);
            Document doc = Xml.parse(xml);
            Element disk = doc.getDocumentElement();
            assertEquals("disk", disk.getTagName(), xml);
            assertEquals(0, disk.getElementsByTagName("disk").getLength(), xml);
            assertEquals(1, disk.getElementsByTagName("source").getLength(), xml);
            Element source = (Element) disk.getElementsByTagName("source").item(0);
            assertEquals(payload, source.getAttribute("file"));
            assertEquals(1, source.getAttributes().getLength(), xml);
            Element driver = (Element) disk.getElementsByTagName("driver").item(0);
            assertEquals(payload, driver.getAttribute("type"));
            assertEquals(payload, driver.getAttribute("cache"));
            Element target = (Element) disk.getElementsByTagName("target").item(0);
            assertEquals(payload, target.getAttribute("dev"));
            assertEquals(payload, disk.getElementsByTagName("serial").item(0).getTextContent());
        }
    }

    @Test
    void theSourceTypeCannotAddAnAttributeEither() throws Exception {
        String payload = "file' device='cdrom";
        DiskSpec spec = DiskXmlRejectionTest.good().sourceType(payload).build();
        Element disk = Xml.parse(DiskXml.write(spec)).getDocumentElement();
        assertEquals(payload, disk.getAttribute("type"));
        assertEquals("disk", disk.getAttribute("device"));
    }
}
