package org.volumedriver.libvirt.internal;

import java.io.File;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.Validator;

import org.w3c.dom.Document;
import org.xml.sax.InputSource;

import com.thaiopensource.relaxng.jaxp.XMLSyntaxSchemaFactory;

/** Test helpers: a hardened DOM parser and libvirt's RELAX NG schema through Jing. */
public final class Xml {

    static final Path DOMAIN_RNG = Path.of("/usr/share/libvirt/schemas/domain.rng");

    private static Schema schema;

    private Xml() {
    }

    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setExpandEntityReferences(false);
        factory.setXIncludeAware(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        return builder.parse(new InputSource(new StringReader(xml)));
    }

    static synchronized Schema domainSchema() throws Exception {
        if (schema == null) {
            if (!Files.isReadable(DOMAIN_RNG)) {
                throw new AssertionError(DOMAIN_RNG + " is missing: install the Debian package libvirt0 (scripts/setup-host)");
            }
            schema = new XMLSyntaxSchemaFactory().newSchema(new File(DOMAIN_RNG.toString()));
        }
        return schema;
    }

    /** Throws a SAXException naming the problem if the document is not valid. */
    public static void validateDomain(String domainXml) throws Exception {
        Validator validator = domainSchema().newValidator();
        validator.validate(new StreamSource(new StringReader(domainXml)));
    }
}
