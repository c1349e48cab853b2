package org.volumedriver.libvirt;

import java.util.Collection;
import java.util.List;

import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.Redactor;

/**
 * A disk value is outside its allowlist or pattern. Nothing was written or attached.
 *
 * <p>The {@linkplain #field() field} is named {@code disk.<name>}, for example {@code disk.cache}
 * or {@code disk.target.dev}; the message quotes the rejected value safely and lists what is
 * allowed.
 */
public class InvalidDiskSpecException extends InvalidConnectionInfoException {

    private static final long serialVersionUID = 1L;

    private final List<String> allowed;

    /**
     * A value outside a set of allowed values.
     *
     * @param field the field, for example {@code disk.cache}
     * @param value the rejected value (quoted safely in the message)
     * @param allowed the allowed values
     */
    public InvalidDiskSpecException(String field, String value, Collection<String> allowed) {
        super("INVALID_DISK_SPEC", field, Redactor.quote(value) + " is not allowed; allowed: " + List.copyOf(allowed));
        this.allowed = List.copyOf(allowed);
    }

    /**
     * A value that breaks a rule other than a fixed set, for example a pattern.
     *
     * @param field the field, for example {@code disk.target.dev}
     * @param value the rejected value (quoted safely in the message)
     * @param rule what a valid value looks like
     */
    public InvalidDiskSpecException(String field, String value, String rule) {
        super("INVALID_DISK_SPEC", field, Redactor.quote(value) + " is not allowed: " + rule);
        this.allowed = List.of();
    }

    /**
     * @return the allowed values, or an empty list if the rule is a pattern
     */
    public List<String> allowed() {
        return allowed;
    }
}
