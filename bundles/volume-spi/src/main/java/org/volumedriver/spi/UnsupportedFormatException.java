package org.volumedriver.spi;

import java.util.Collection;

/**
 * A disk format outside the allowlist, for example {@code vmdk} or {@code QCOW2}.
 */
public class UnsupportedFormatException extends InvalidConnectionInfoException {

    private static final long serialVersionUID = 1L;

    /**
     * @param field the field that carried the format, usually {@code data.format}
     * @param value the rejected value (quoted safely in the message)
     * @param allowed the allowed formats
     */
    public UnsupportedFormatException(String field, String value, Collection<String> allowed) {
        super("UNSUPPORTED_FORMAT", field, Redactor.quote(value) + " is not an allowed format; allowed: " + allowed);
    }
}
