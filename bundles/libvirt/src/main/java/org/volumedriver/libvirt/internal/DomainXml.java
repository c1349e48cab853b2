package org.volumedriver.libvirt.internal;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads the disks out of a domain's XML description. DOCTYPE declarations are refused outright and
 * no entity or external resource is ever resolved: libvirt never sends a DOCTYPE, so one can only
 * be an attack.
 */
public final class DomainXml {

    /**
     * One {@code <disk>} of a domain, as far as the detach flow needs it.
     *
     * @param type the disk type attribute, for example {@code file}
     * @param device the device attribute, for example {@code disk}
     * @param source the source file or device path, if any
     * @param targetDev the guest device name
     * @param targetBus the guest bus, if given
     */
    public record Disk(String type, String device, Optional<String> source, String targetDev, Optional<String> targetBus) {
    }

    private static final XMLInputFactory INPUT = hardenedFactory();

    private DomainXml() {
    }

    static XMLInputFactory hardenedFactory() {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return factory;
    }

    /**
     * Lists the {@code <disk>} elements under {@code /domain/devices}.
     *
     * @param domainXml the domain XML as libvirt returned it
     * @return the disks in document order
     * @throws XMLStreamException if the text is not well-formed, has a DOCTYPE or an entity reference
     */
    public static List<Disk> disks(String domainXml) throws XMLStreamException {
        List<Disk> disks = new ArrayList<>();
        XMLStreamReader reader = INPUT.createXMLStreamReader(new StringReader(domainXml));
        try {
            int depth = 0;
            boolean inDevices = false;
            String type = null;
            String device = null;
            String source = null;
            String dev = null;
            String bus = null;
            int diskDepth = -1;
            while (reader.hasNext()) {
                int event = reader.next();
                switch (event) {
                    case XMLStreamConstants.DTD ->
                        throw new XMLStreamException("a DOCTYPE declaration is not accepted", reader.getLocation());
                    case XMLStreamConstants.ENTITY_REFERENCE ->
                        throw new XMLStreamException("an entity reference is not accepted", reader.getLocation());
                    case XMLStreamConstants.START_ELEMENT -> {
                        depth++;
                        String name = reader.getLocalName();
                        if (depth == 1 && !"domain".equals(name)) {
                            throw new XMLStreamException("the root element is not <domain>", reader.getLocation());
                        }
                        if (depth == 2 && "devices".equals(name)) {
                            inDevices = true;
                        } else if (inDevices && depth == 3 && "disk".equals(name)) {
                            diskDepth = depth;
                            type = reader.getAttributeValue(null, "type");
                            device = reader.getAttributeValue(null, "device");
                            source = null;
                            dev = null;
                            bus = null;
                        } else if (diskDepth > 0 && depth == diskDepth + 1) {
                            if ("source".equals(name)) {
                                source = firstNonNull(reader.getAttributeValue(null, "file"), reader.getAttributeValue(null, "dev"));
                            } else if ("target".equals(name)) {
                                dev = reader.getAttributeValue(null, "dev");
                                bus = reader.getAttributeValue(null, "bus");
                            }
                        }
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        if (depth == diskDepth) {
                            disks.add(new Disk(type, device, Optional.ofNullable(source), dev, Optional.ofNullable(bus)));
                            diskDepth = -1;
                        } else if (depth == 2) {
                            inDevices = false;
                        }
                        depth--;
                    }
                    default -> {
                        // text, comments and processing instructions carry nothing we need
                    }
                }
            }
        } finally {
            reader.close();
        }
        return disks;
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }
}
