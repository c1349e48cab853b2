package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.testsupport.TcgDomains;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * libvirt's own parser is the judge: every allowed combination is defined in a domain on libvirt's
 * in-process test driver ({@code test:///default}), read back with {@code getXMLDesc}, and the disk
 * libvirt kept must be the disk that was written.
 */
class LibvirtRoundTripTest extends TestDriverFixture {

    @Test
    void everyAllowedCombinationSurvivesLibvirtsParser() throws Exception {
        DiskPolicy policy = TestConfigs.defaultPolicy();
        int i = 0;
        for (Combinations.Case c : Combinations.all()) {
            String disk = DiskXml.write(DiskXml.check(policy, "quobyte", c.spec(), w -> { }));
            String name = "roundtrip-" + i++;
            Domain dom = libvirt.connect().domainDefineXML(TcgDomains.named(name).devices(disk).xml());
            try {
                String back = dom.getXMLDesc(0);
                List<Element> disks = disks(back);
                assertEquals(1, disks.size(), c.name());
                assertEquals(canonical(Xml.parse(disk).getDocumentElement()), canonical(disks.get(0)), c.name());
            } finally {
                dom.undefine();
            }
        }
        assertEquals(144, i);
    }

    @Test
    void libvirtRefusesWhatTheSchemaRefuses() {
        String bad = "<disk type='file' device='disk'><driver name='qemu' type='raw' cache='bogus'/>"
                + "<source file='/x'/><target dev='vdb' bus='virtio'/></disk>";
        long before = Libvirt.errorsReported();
        LibvirtException e = assertThrows(LibvirtException.class,
                () -> libvirt.connect().domainDefineXML(TcgDomains.named("bad").devices(bad).xml()));
        HypervisorException typed = Libvirt.error("define", e);
        // VIR_ERR_CONFIG_UNSUPPORTED (67) or VIR_ERR_XML_ERROR (27) depending on where libvirt's parser stops
        assertEquals(true, typed.errorCode() > 0, "numeric libvirt error code: " + typed.errorCode());
        // libvirt handed the error to the callback (which logs it) instead of printing it to stderr
        assertEquals(true, Libvirt.errorsReported() > before, "error callback not called");
    }

    @Test
    void unknownDomainHasLibvirtsNoDomainCode() {
        HypervisorException e = assertThrows(HypervisorException.class, () -> libvirt.domain("no-such-domain"));
        assertEquals(Libvirt.VIR_ERR_NO_DOMAIN, e.errorCode());
    }

    @Test
    void closingReallyClosesTheConnectionAfterDomainLookups() throws Exception {
        Libvirt own = Libvirt.open("test:///default");
        own.domain("test");
        own.domain("test");
        // a domain handle left to the finalizer would keep the connection (and a libvirtd socket) open
        assertEquals(0, own.release());
    }

    static List<Element> disks(String domainXml) throws Exception {
        NodeList all = Xml.parse(domainXml).getElementsByTagName("disk");
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < all.getLength(); i++) {
            out.add((Element) all.item(i));
        }
        return out;
    }

    /**
     * The disk as attribute maps per child element, ignoring what libvirt adds on its own
     * (PCI/drive addresses, aliases) and white space.
     */
    static String canonical(Element disk) {
        StringBuilder out = new StringBuilder("disk" + attributes(disk));
        NodeList children = disk.getChildNodes();
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < children.getLength(); i++) {
            Node node = children.item(i);
            if (node instanceof Element child && !child.getTagName().equals("address") && !child.getTagName().equals("alias")) {
                String text = child.getElementsByTagName("*").getLength() == 0 ? child.getTextContent().trim() : "";
                parts.add(child.getTagName() + attributes(child) + (text.isEmpty() ? "" : "=" + text));
            }
        }
        parts.sort(String::compareTo);
        return out.append(parts).toString();
    }

    private static Map<String, String> attributes(Element element) {
        Map<String, String> out = new TreeMap<>();
        for (int i = 0; i < element.getAttributes().getLength(); i++) {
            Node a = element.getAttributes().item(i);
            out.put(a.getNodeName(), a.getNodeValue());
        }
        return out;
    }
}
