package org.volumedriver.spi;

import java.util.regex.Pattern;

/**
 * A libvirt guest (domain) as the hypervisor identifies it. The UUID is the identity: it is the
 * {@link Attachment#instance() instance} of an attachment adopted from the hypervisor. The name is
 * for people, and for attachments that callers connected under the domain's name.
 *
 * @param uuid the domain UUID, lower-case canonical form ({@code 8-4-4-4-12} hex digits)
 * @param name the domain name, printable (libvirt's name with control characters replaced)
 */
public record GuestRef(String uuid, String name) implements Comparable<GuestRef> {

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final int MAX_NAME = 256;

    /**
     * @param uuid the domain UUID
     * @param name the domain name
     * @throws IllegalArgumentException if the UUID is not canonical or the name is empty, too long
     *         or holds a control character
     */
    public GuestRef {
        if (uuid == null || !UUID.matcher(uuid).matches()) {
            throw new IllegalArgumentException("guest uuid " + Redactor.quote(uuid) + " is not a canonical lower-case UUID");
        }
        if (name == null || name.isEmpty() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("guest name " + Redactor.quote(name) + " must be 1 to " + MAX_NAME
                    + " characters without control characters");
        }
    }

    /**
     * @param instance an attachment's instance
     * @return whether it names this guest: its UUID, or its name for attachments connected under
     *         the domain's name
     */
    public boolean matches(String instance) {
        return uuid.equals(instance) || name.equals(instance);
    }

    @Override
    public int compareTo(GuestRef other) {
        int byName = name.compareTo(other.name);
        return byName != 0 ? byName : uuid.compareTo(other.uuid);
    }

    @Override
    public String toString() {
        return name + " (" + uuid + ")";
    }
}
