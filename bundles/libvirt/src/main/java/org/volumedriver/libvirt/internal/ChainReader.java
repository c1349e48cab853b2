package org.volumedriver.libvirt.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.volumedriver.libvirt.ChainLink;
import org.volumedriver.spi.HypervisorException;

/**
 * Reads what the operations on attached volumes need from a domain's XML: each disk's target,
 * serial and backing chain ({@code <source>}, then the nested {@code <backingStore>} elements
 * libvirt fills in for a running guest), and whether the guest agent's channel is connected. The
 * same hardened walk as {@link DomainXml}: no DOCTYPE, no entity, nothing external.
 */
final class ChainReader {

    /** The name of the QEMU guest agent's virtio channel. */
    static final String GUEST_AGENT_CHANNEL = "org.qemu.guest_agent.0";

    /**
     * One {@code <disk>} under {@code /domain/devices}.
     *
     * @param type the disk's {@code type} attribute, empty if absent
     * @param device the {@code device} attribute ({@code disk}, {@code cdrom}, ...), empty if absent
     * @param targetDev the guest device, empty if absent
     * @param serial the {@code <serial>} text, if any
     * @param chain the disk's own source first, then each backing file; empty without a source.
     *        A backing store without a file or device path is a link with an empty path.
     */
    record LiveDisk(String type, String device, String targetDev, Optional<String> serial, List<ChainLink> chain) {

        LiveDisk {
            chain = List.copyOf(chain);
        }

        /** @return the active file's path, if the disk has a source */
        Optional<String> source() {
            return chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(0).path());
        }
    }

    /** Collects one disk while the reader walks through it. */
    private static final class DiskBuilder {
        String type = "";
        String device = "";
        String targetDev = "";
        String serial;
        StringBuilder serialText;
        String activePath;
        String activeFormat = "";
        /** One entry per {@code <backingStore>} level that names a store (not the empty terminator). */
        final List<String[]> backing = new ArrayList<>();

        LiveDisk build() {
            List<ChainLink> chain = new ArrayList<>();
            if (activePath != null) {
                chain.add(new ChainLink(activePath, activeFormat));
                for (String[] link : backing) {
                    chain.add(new ChainLink(link[0] == null ? "" : link[0], link[1]));
                }
            }
            return new LiveDisk(type, device, targetDev, Optional.ofNullable(serial), chain);
        }
    }

    private ChainReader() {
    }

    /**
     * @param guest a domain
     * @param view the running guest or the persistent definition
     * @return that description's disks in document order
     * @throws HypervisorException if libvirt fails or returns XML that is refused (code -1)
     */
    static List<LiveDisk> disks(Guest guest, Guest.View view) throws HypervisorException {
        String xml = guest.xml(view);
        try {
            return disks(xml);
        } catch (XMLStreamException e) {
            throw refused(e);
        }
    }

    /**
     * @param e the reader's refusal
     * @return the typed error for XML from libvirt that is refused
     */
    static HypervisorException refused(XMLStreamException e) {
        return new HypervisorException("read domain XML", -1, "libvirt returned XML that is refused: " + e.getClass().getSimpleName(), e);
    }

    /**
     * @param domainXml a domain's XML as libvirt returned it
     * @return its disks in document order
     * @throws XMLStreamException if the text is not well-formed, has a DOCTYPE or an entity reference
     */
    static List<LiveDisk> disks(String domainXml) throws XMLStreamException {
        List<LiveDisk> disks = new ArrayList<>();
        DomainXml.walk(domainXml, new DomainXml.Visitor() {
            DiskBuilder disk;
            // the depth of each open <backingStore> that names a store, innermost last
            final List<Integer> stores = new ArrayList<>();

            @Override
            public void start(XMLStreamReader reader, List<String> path) {
                String name = path.get(path.size() - 1);
                int depth = path.size();
                if (depth == 3 && "devices".equals(path.get(1)) && "disk".equals(name)) {
                    disk = new DiskBuilder();
                    disk.type = attribute(reader, "type");
                    disk.device = attribute(reader, "device");
                    stores.clear();
                } else if (disk != null && depth > 3) {
                    onDiskElement(reader, name, depth, disk, stores);
                }
            }

            @Override
            public void text(XMLStreamReader reader, List<String> path) {
                if (disk != null && disk.serialText != null) {
                    disk.serialText.append(reader.getText());
                }
            }

            @Override
            public void end(List<String> path) {
                int depth = path.size();
                if (disk != null && depth == 4 && "serial".equals(path.get(3)) && disk.serialText != null) {
                    disk.serial = disk.serialText.toString();
                    disk.serialText = null;
                }
                if (!stores.isEmpty() && stores.get(stores.size() - 1) == depth) {
                    stores.remove(stores.size() - 1);
                }
                if (disk != null && depth == 3) {
                    disks.add(disk.build());
                    disk = null;
                }
            }
        });
        return disks;
    }

    private static void onDiskElement(XMLStreamReader reader, String name, int depth, DiskBuilder disk, List<Integer> stores) {
        int innermost = stores.isEmpty() ? 3 : stores.get(stores.size() - 1);
        if (depth == 4) {
            switch (name) {
                case "driver" -> disk.activeFormat = attribute(reader, "type");
                case "source" -> disk.activePath = sourcePath(reader);
                case "target" -> disk.targetDev = attribute(reader, "dev");
                case "serial" -> disk.serialText = new StringBuilder();
                case "backingStore" -> openStore(reader, depth, disk, stores);
                default -> {
                    // mirror, alias, address, ...: not part of the chain
                }
            }
        } else if (depth == innermost + 1 && !stores.isEmpty()) {
            String[] link = disk.backing.get(disk.backing.size() - 1);
            switch (name) {
                case "format" -> link[1] = attribute(reader, "type");
                case "source" -> link[0] = sourcePath(reader);
                case "backingStore" -> openStore(reader, depth, disk, stores);
                default -> {
                    // nothing else of a backing store matters here
                }
            }
        }
    }

    /** A {@code <backingStore>} with a type names a store; an empty one ends the chain. */
    private static void openStore(XMLStreamReader reader, int depth, DiskBuilder disk, List<Integer> stores) {
        if (reader.getAttributeCount() > 0 && !attribute(reader, "type").isEmpty()) {
            disk.backing.add(new String[] {null, ""});
            stores.add(depth);
        }
    }

    /**
     * Whether a quiesced snapshot is worth trying: the domain has the QEMU guest agent's channel and
     * libvirt does not report it {@code disconnected} (the QEMU driver tracks the agent's state; a
     * driver that does not leaves the attribute out, and then only the attempt tells).
     *
     * @param domainXml a running domain's XML
     * @return whether the guest agent may answer
     * @throws XMLStreamException if the text is refused
     */
    static boolean guestAgentMayAnswer(String domainXml) throws XMLStreamException {
        boolean[] mayAnswer = {false};
        DomainXml.walk(domainXml, (reader, path) -> {
            if (path.size() == 4 && "devices".equals(path.get(1)) && "channel".equals(path.get(2))
                    && "target".equals(path.get(3)) && GUEST_AGENT_CHANNEL.equals(attribute(reader, "name"))
                    && !"disconnected".equals(attribute(reader, "state"))) {
                mayAnswer[0] = true;
            }
        });
        return mayAnswer[0];
    }

    private static String sourcePath(XMLStreamReader reader) {
        String file = reader.getAttributeValue(null, "file");
        return file != null ? file : reader.getAttributeValue(null, "dev");
    }

    private static String attribute(XMLStreamReader reader, String name) {
        String value = reader.getAttributeValue(null, name);
        return value == null ? "" : value;
    }
}
