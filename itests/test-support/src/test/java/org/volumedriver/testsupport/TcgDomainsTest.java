package org.volumedriver.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;

class TcgDomainsTest {

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newDefaultInstance().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    private static String text(Document doc, String tag) {
        return doc.getElementsByTagName(tag).item(0).getTextContent();
    }

    @Test
    void theSmallGuestHasNoDiskAndNoEmulator() throws Exception {
        Document doc = parse(TcgDomains.named("d1").xml());
        assertEquals("qemu", doc.getDocumentElement().getAttribute("type"));
        assertEquals("d1", text(doc, "name"));
        assertEquals("64", text(doc, "memory"));
        assertEquals("x86_64", ((Element) doc.getElementsByTagName("type").item(0)).getAttribute("arch"));
        assertEquals(1, doc.getElementsByTagName("acpi").getLength());
        assertEquals(0, doc.getElementsByTagName("disk").getLength());
        assertEquals(0, doc.getElementsByTagName("emulator").getLength());
        assertEquals(0, doc.getElementsByTagName("vcpu").getLength());
    }

    @Test
    void devicesGoIntoDevices() throws Exception {
        String disk = "<disk type='file' device='disk'><source file='/x'/><target dev='vdb'/></disk>";
        Document doc = parse(TcgDomains.named("d2").runnable().devices(disk).xml());
        Element devices = (Element) doc.getElementsByTagName("devices").item(0);
        assertEquals(1, devices.getElementsByTagName("disk").getLength());
        assertEquals("/usr/bin/qemu-system-x86_64", text(doc, "emulator"));
        assertEquals("none", ((Element) devices.getElementsByTagName("memballoon").item(0)).getAttribute("model"));
    }

    @Test
    void aRunnableGuestEndsOnEveryExit() throws Exception {
        Document doc = parse(TcgDomains.named("d3").runnable().xml());
        assertEquals("1", text(doc, "vcpu"));
        assertEquals("pc", ((Element) doc.getElementsByTagName("type").item(0)).getAttribute("machine"));
        for (String event : new String[] {"on_poweroff", "on_reboot", "on_crash"}) {
            assertEquals("destroy", text(doc, event), event);
        }
    }

    @Test
    void namesAreUniqueAndPlain() {
        String name = TcgDomains.uniqueName("vdtest");
        assertTrue(name.matches("vdtest-[0-9a-f]{8}"), name);
        assertNotEquals(name, TcgDomains.uniqueName("vdtest"));
        assertThrows(IllegalArgumentException.class, () -> TcgDomains.named("a'/><b"));
    }
}
