package org.volumedriver.libvirt.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads the disks out of a domain's XML description. DOCTYPE declarations are refused outright and
 * no entity or external resource is ever resolved: libvirt never sends a DOCTYPE, so one can only
 * be an attack. The same holds for the DOM reader that edits a persistent definition when a
 * hypervisor driver cannot attach or detach devices itself.
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

    /**
     * The files one {@code <disk>} makes a guest use, as the reconciler and the guest-usage check
     * read them.
     *
     * @param type the disk's {@code type} attribute ({@code file}, {@code block}, ...), empty if absent
     * @param source the path of the disk's own {@code <source>}: its {@code file}, {@code dev} or
     *        {@code dir} attribute, if any
     * @param sourceIsFile whether that path came from a {@code file} attribute
     * @param otherFiles the paths of every other {@code <source>} inside the disk: backing chain,
     *        mirror, data store
     */
    public record DiskSources(String type, Optional<String> source, boolean sourceIsFile, List<String> otherFiles) {

        /** @return every path the disk names, its own source first */
        public List<String> allPaths() {
            List<String> all = new ArrayList<>();
            source.ifPresent(all::add);
            all.addAll(otherFiles);
            return all;
        }
    }

    private static final XMLInputFactory INPUT = hardenedFactory();

    /** An edit of a domain definition that cannot be done: no {@code <devices>}, no such disk, ... */
    public static final class EditException extends Exception {
        private static final long serialVersionUID = 1L;

        EditException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private DomainXml() {
    }

    private static XMLInputFactory hardenedFactory() {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return factory;
    }

    /** What one pass over a domain's XML is shown: each element with its path from {@code <domain>}, and text. */
    interface Visitor {
        /**
         * @param reader positioned on the start tag
         * @param path the names from the root down to this element, inclusive
         */
        void start(XMLStreamReader reader, List<String> path);

        /**
         * @param reader positioned on character data
         * @param path the names of the elements the text is in
         */
        default void text(XMLStreamReader reader, List<String> path) {
        }

        /** @param path the names down to the element that ends now, inclusive */
        default void end(List<String> path) {
        }
    }

    /**
     * Walks a domain's XML with the hardened reader; every reader of domain XML in this bundle goes
     * through here, so a DOCTYPE, an entity reference or a root other than {@code <domain>} is
     * refused in one place.
     *
     * @param domainXml the domain XML as libvirt returned it
     * @param visitor what is shown each element
     * @throws XMLStreamException if the text is not well-formed, has a DOCTYPE or an entity reference,
     *         or its root is not {@code <domain>}
     */
    static void walk(String domainXml, Visitor visitor) throws XMLStreamException {
        XMLStreamReader reader = INPUT.createXMLStreamReader(new StringReader(domainXml));
        try {
            List<String> path = new ArrayList<>();
            while (reader.hasNext()) {
                switch (reader.next()) {
                    case XMLStreamConstants.DTD ->
                        throw new XMLStreamException("a DOCTYPE declaration is not accepted", reader.getLocation());
                    case XMLStreamConstants.ENTITY_REFERENCE ->
                        throw new XMLStreamException("an entity reference is not accepted", reader.getLocation());
                    case XMLStreamConstants.START_ELEMENT -> {
                        path.add(reader.getLocalName());
                        if (path.size() == 1 && !"domain".equals(path.get(0))) {
                            throw new XMLStreamException("the root element is not <domain>", reader.getLocation());
                        }
                        visitor.start(reader, path);
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> visitor.text(reader, path);
                    case XMLStreamConstants.END_ELEMENT -> {
                        visitor.end(path);
                        path.remove(path.size() - 1);
                    }
                    default -> {
                        // comments and processing instructions carry nothing any reader needs
                    }
                }
            }
        } finally {
            reader.close();
        }
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
        walk(domainXml, new Visitor() {
            String type;
            String device;
            String source;
            String dev;
            String bus;
            boolean inDisk;

            @Override
            public void start(XMLStreamReader reader, List<String> path) {
                String name = path.get(path.size() - 1);
                if (path.size() == 3 && "devices".equals(path.get(1)) && "disk".equals(name)) {
                    inDisk = true;
                    type = reader.getAttributeValue(null, "type");
                    device = reader.getAttributeValue(null, "device");
                    source = null;
                    dev = null;
                    bus = null;
                } else if (inDisk && path.size() == 4) {
                    if ("source".equals(name)) {
                        source = firstNonNull(reader.getAttributeValue(null, "file"), reader.getAttributeValue(null, "dev"));
                    } else if ("target".equals(name)) {
                        dev = reader.getAttributeValue(null, "dev");
                        bus = reader.getAttributeValue(null, "bus");
                    }
                }
            }

            @Override
            public void end(List<String> path) {
                if (inDisk && path.size() == 3) {
                    disks.add(new Disk(type, device, Optional.ofNullable(source), dev, Optional.ofNullable(bus)));
                    inDisk = false;
                }
            }
        });
        return disks;
    }

    /**
     * Lists, for each {@code <disk>} under {@code /domain/devices}, the paths it makes the guest
     * use. Read with the same hardened reader as {@link #disks(String)}.
     *
     * @param domainXml the domain XML as libvirt returned it
     * @return the disks in document order
     * @throws XMLStreamException if the text is not well-formed, has a DOCTYPE or an entity reference
     */
    public static List<DiskSources> diskSources(String domainXml) throws XMLStreamException {
        List<DiskSources> disks = new ArrayList<>();
        walk(domainXml, new Visitor() {
            String type;
            String source;
            boolean sourceIsFile;
            List<String> others;

            @Override
            public void start(XMLStreamReader reader, List<String> path) {
                String name = path.get(path.size() - 1);
                if (path.size() == 3 && "devices".equals(path.get(1)) && "disk".equals(name)) {
                    type = reader.getAttributeValue(null, "type");
                    source = null;
                    sourceIsFile = false;
                    others = new ArrayList<>();
                } else if (path.size() > 3 && others != null && "source".equals(name)) {
                    String file = reader.getAttributeValue(null, "file");
                    String named = firstNonNull(file, firstNonNull(reader.getAttributeValue(null, "dev"),
                            reader.getAttributeValue(null, "dir")));
                    if (named != null && path.size() == 4 && source == null) {
                        source = named;
                        sourceIsFile = file != null;
                    } else if (named != null) {
                        others.add(named);
                    }
                }
            }

            @Override
            public void end(List<String> path) {
                if (path.size() == 3 && others != null) {
                    disks.add(new DiskSources(type == null ? "" : type, Optional.ofNullable(source), sourceIsFile,
                            List.copyOf(others)));
                    others = null;
                }
            }
        });
        return disks;
    }

    /**
     * Adds a disk to a domain definition: the element is appended under {@code /domain/devices};
     * everything else is written back as it was read.
     *
     * @param domainXml the domain definition as libvirt returned it
     * @param diskXml one {@code <disk>} element as {@link DiskXml#write} wrote it
     * @return the definition with the disk
     * @throws EditException if either text is refused or the domain has no {@code <devices>}
     */
    public static String withDisk(String domainXml, String diskXml) throws EditException {
        Document domain = parseDom(domainXml);
        Element disk = parseDom(diskXml).getDocumentElement();
        if (!"disk".equals(disk.getLocalName())) {
            throw new EditException("the device is not a <disk>", null);
        }
        Element devices = devices(domain);
        devices.appendChild(domain.importNode(disk, true));
        return serialize(domain);
    }

    /**
     * Removes exactly one disk from a domain definition: the {@code <disk>} under
     * {@code /domain/devices} whose {@code <target dev>} and source path both match. Nothing else
     * is touched.
     *
     * @param domainXml the domain definition as libvirt returned it
     * @param sourcePath the disk's source file or device
     * @param targetDev the disk's guest device name
     * @return the definition without the disk
     * @throws EditException if the text is refused or not exactly one disk matches
     */
    public static String withoutDisk(String domainXml, String sourcePath, String targetDev) throws EditException {
        Document domain = parseDom(domainXml);
        Element devices = devices(domain);
        List<Element> matches = new ArrayList<>();
        for (Node n = devices.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element disk && "disk".equals(disk.getLocalName()) && disk.getNamespaceURI() == null
                    && targetDev.equals(childAttribute(disk, "target", "dev"))
                    && sourcePath.equals(sourceOf(disk))) {
                matches.add(disk);
            }
        }
        if (matches.size() != 1) {
            throw new EditException(matches.size() + " disks match the source and target, not exactly one", null);
        }
        Element disk = matches.get(0);
        // the indentation before the element goes with it, so the definition stays tidy
        Node before = disk.getPreviousSibling();
        if (before != null && before.getNodeType() == Node.TEXT_NODE && before.getTextContent().isBlank()) {
            devices.removeChild(before);
        }
        devices.removeChild(disk);
        return serialize(domain);
    }

    private static Element devices(Document domain) throws EditException {
        Element root = domain.getDocumentElement();
        if (!"domain".equals(root.getLocalName()) || root.getNamespaceURI() != null) {
            throw new EditException("the root element is not <domain>", null);
        }
        Element devices = null;
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && "devices".equals(e.getLocalName()) && e.getNamespaceURI() == null) {
                if (devices != null) {
                    throw new EditException("the domain has more than one <devices>", null);
                }
                devices = e;
            }
        }
        if (devices == null) {
            throw new EditException("the domain has no <devices>", null);
        }
        return devices;
    }

    private static String sourceOf(Element disk) {
        String file = childAttribute(disk, "source", "file");
        return file != null ? file : childAttribute(disk, "source", "dev");
    }

    private static String childAttribute(Element parent, String child, String attribute) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && child.equals(e.getLocalName()) && e.hasAttribute(attribute)) {
                return e.getAttribute(attribute);
            }
        }
        return null;
    }

    /** Errors become the exception; nothing is printed to stderr. */
    private static final ErrorHandler QUIET = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
            // warnings change nothing in what is accepted
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };

    /**
     * Parses with a DOCTYPE refused outright, no entity expanded and no external resource read.
     * A new factory per call: DocumentBuilder is not thread-safe and this runs rarely.
     */
    static Document parseDom(String xml) throws EditException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setExpandEntityReferences(false);
            factory.setXIncludeAware(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            // nothing is ever resolved, and the parser's own error printing stays quiet
            builder.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external resources are not read");
            });
            builder.setErrorHandler(QUIET);
            return builder.parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new EditException("the XML is refused: " + e.getClass().getSimpleName(), e);
        }
    }

    private static String serialize(Document document) throws EditException {
        try {
            TransformerFactory factory = TransformerFactory.newDefaultInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
            Transformer identity = factory.newTransformer();
            identity.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            identity.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            StringWriter out = new StringWriter();
            identity.transform(new DOMSource(document), new StreamResult(out));
            return out.toString();
        } catch (TransformerException e) {
            throw new EditException("writing the definition failed: " + e.getClass().getSimpleName(), e);
        }
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }
}
