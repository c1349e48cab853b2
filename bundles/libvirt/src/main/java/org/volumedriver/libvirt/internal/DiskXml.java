package org.volumedriver.libvirt.internal;

import java.io.StringWriter;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import org.volumedriver.libvirt.InvalidDiskSpecException;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.UnsupportedFormatException;

/**
 * Checks a {@link DiskSpec} against a {@link DiskPolicy} and writes the libvirt {@code <disk>}
 * element with a streaming writer. Stateless and thread-safe.
 */
public final class DiskXml {

    /** The JDK's own writer, not whatever a framework's service loader would find. */
    private static final XMLOutputFactory OUTPUT = XMLOutputFactory.newDefaultFactory();

    private static final int MAX_PATH = 4096;

    private DiskXml() {
    }

    /**
     * Checks every value and fills in defaults.
     *
     * @param policy the allowlists
     * @param driverType the {@code driver_volume_type} that described the disk
     * @param spec the disk, with target
     * @param warnings receives a warning when {@code io=native} is replaced by {@code threads}
     * @return the effective disk (cache and io always set)
     * @throws InvalidDiskSpecException naming the field and what is allowed
     * @throws UnsupportedFormatException for a format outside the allowlist
     */
    public static DiskSpec check(DiskPolicy policy, String driverType, DiskSpec spec, Consumer<String> warnings)
            throws InvalidDiskSpecException, UnsupportedFormatException {
        checkSource(policy, driverType, spec);
        String cache = spec.cache().orElse(policy.defaultCache());
        if (!policy.cacheModes().contains(cache)) {
            throw new InvalidDiskSpecException("disk.cache", cache, policy.cacheModes());
        }
        boolean nativeSafe = DiskPolicy.NATIVE_IO_CACHE.contains(cache);
        String io;
        if (spec.io().isPresent()) {
            io = spec.io().get();
            if (!policy.ioModes().contains(io)) {
                throw new InvalidDiskSpecException("disk.io", io, policy.ioModes());
            }
            if ("native".equals(io) && !nativeSafe) {
                // native AIO without O_DIRECT blocks QEMU's main loop; libvirt refuses it for some caches
                warnings.accept("io=native needs cache none or directsync; cache is " + cache + ", using io=threads");
                io = "threads";
            }
        } else {
            io = nativeSafe && policy.ioModes().contains("native") ? "native" : "threads";
        }
        String dev = required(spec.targetDev(), "disk.target.dev");
        if (!policy.targetDev().matcher(dev).matches() || DiskPolicy.hasUnsafeCharacters(dev)) {
            throw new InvalidDiskSpecException("disk.target.dev", dev, "must match " + policy.targetDev().pattern());
        }
        String bus = required(spec.targetBus(), "disk.target.bus");
        if (!policy.buses().contains(bus)) {
            throw new InvalidDiskSpecException("disk.target.bus", bus, policy.buses());
        }
        if (spec.serial().isPresent()) {
            String serial = spec.serial().get();
            if (!policy.serial().matcher(serial).matches() || DiskPolicy.hasUnsafeCharacters(serial)) {
                throw new InvalidDiskSpecException("disk.serial", serial, "must match " + policy.serial().pattern());
            }
        }
        if (spec.discard().isPresent() && !policy.discardModes().contains(spec.discard().get())) {
            throw new InvalidDiskSpecException("disk.discard", spec.discard().get(), policy.discardModes());
        }
        return spec.toBuilder().cache(cache).io(io).build();
    }

    /**
     * Checks what a disk's source is: its type, path and format. The part of {@link #check} that
     * also applies to a new file a running guest's disk is switched to.
     *
     * @param policy the allowlists
     * @param driverType the {@code driver_volume_type} that described the disk
     * @param spec the disk
     * @throws InvalidDiskSpecException naming the field and what is allowed
     * @throws UnsupportedFormatException for a format outside the allowlist
     */
    static void checkSource(DiskPolicy policy, String driverType, DiskSpec spec)
            throws InvalidDiskSpecException, UnsupportedFormatException {
        List<String> sourceTypes = policy.sourceTypesFor(driverType);
        if (!sourceTypes.contains(spec.sourceType())) {
            throw new InvalidDiskSpecException("disk.source.type", spec.sourceType(), sourceTypes);
        }
        checkPath(policy, spec.sourcePath());
        if (!policy.formats().contains(spec.format())) {
            throw new UnsupportedFormatException("disk.format", spec.format(), policy.formats());
        }
    }

    private static String required(Optional<String> value, String field) throws InvalidDiskSpecException {
        if (value.isEmpty()) {
            throw new InvalidDiskSpecException(field, null, "is required");
        }
        return value.get();
    }

    private static void checkPath(DiskPolicy policy, String path) throws InvalidDiskSpecException {
        String field = "disk.source.path";
        if (path.length() > MAX_PATH || !policy.sourcePath().matcher(path).matches() || DiskPolicy.hasUnsafeCharacters(path)) {
            throw new InvalidDiskSpecException(field, path, "must match " + policy.sourcePath().pattern());
        }
        if (!path.startsWith("/")) {
            throw new InvalidDiskSpecException(field, path, "must be absolute");
        }
        // normalized: every component non-empty and neither "." nor ".."
        String[] parts = path.substring(1).split("/", -1);
        for (String part : parts) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new InvalidDiskSpecException(field, path, "must be normalized (no empty, '.' or '..' components, no trailing '/')");
            }
        }
    }

    /**
     * Writes one {@code <disk>} element for a disk that {@link #check} accepted. Every value is
     * escaped by the XML writer; this method itself checks nothing.
     *
     * @param disk the effective disk
     * @return the XML text of one element, without declaration
     */
    public static String write(DiskSpec disk) {
        StringWriter out = new StringWriter(512);
        try {
            XMLStreamWriter xml = OUTPUT.createXMLStreamWriter(out);
            xml.writeStartElement("disk");
            xml.writeAttribute("type", disk.sourceType());
            xml.writeAttribute("device", "disk");
            indent(xml);
            xml.writeEmptyElement("driver");
            xml.writeAttribute("name", "qemu");
            xml.writeAttribute("type", disk.format());
            // "default" is the hypervisor's default: libvirt stores it as no attribute, so write none
            if (disk.cache().isPresent() && !"default".equals(disk.cache().get())) {
                xml.writeAttribute("cache", disk.cache().get());
            }
            if (disk.io().isPresent()) {
                xml.writeAttribute("io", disk.io().get());
            }
            if (disk.discard().isPresent()) {
                xml.writeAttribute("discard", disk.discard().get());
            }
            indent(xml);
            xml.writeEmptyElement("source");
            xml.writeAttribute("block".equals(disk.sourceType()) ? "dev" : "file", disk.sourcePath());
            indent(xml);
            xml.writeEmptyElement("target");
            xml.writeAttribute("dev", disk.targetDev().orElse(""));
            if (disk.targetBus().isPresent()) {
                xml.writeAttribute("bus", disk.targetBus().get());
            }
            if (disk.readOnly()) {
                indent(xml);
                xml.writeEmptyElement("readonly");
            }
            if (disk.serial().isPresent()) {
                indent(xml);
                xml.writeStartElement("serial");
                xml.writeCharacters(disk.serial().get());
                xml.writeEndElement();
            }
            xml.writeCharacters("\n");
            xml.writeEndElement();
            xml.flush();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing disk XML to memory failed", e);
        }
        return out.toString();
    }

    /**
     * Writes the element that names a disk found in a domain for {@code detachDeviceFlags}: type,
     * device, source and target, as libvirt reported them.
     *
     * @param disk the disk as read from the domain XML
     * @return the XML text of one element
     */
    public static String writeForDetach(DomainXml.Disk disk) {
        StringWriter out = new StringWriter(256);
        try {
            XMLStreamWriter xml = OUTPUT.createXMLStreamWriter(out);
            xml.writeStartElement("disk");
            xml.writeAttribute("type", disk.type() == null ? "file" : disk.type());
            xml.writeAttribute("device", disk.device() == null ? "disk" : disk.device());
            if (disk.source().isPresent()) {
                xml.writeEmptyElement("source");
                xml.writeAttribute("block".equals(disk.type()) ? "dev" : "file", disk.source().get());
            }
            xml.writeEmptyElement("target");
            xml.writeAttribute("dev", disk.targetDev() == null ? "" : disk.targetDev());
            if (disk.targetBus().isPresent()) {
                xml.writeAttribute("bus", disk.targetBus().get());
            }
            xml.writeEndElement();
            xml.flush();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing disk XML to memory failed", e);
        }
        return out.toString();
    }

    private static void indent(XMLStreamWriter xml) throws XMLStreamException {
        xml.writeCharacters("\n  ");
    }
}
