package org.volumedriver.testsupport;

import java.util.UUID;

/**
 * Libvirt definitions of a small QEMU guest under TCG (domain type {@code qemu}, no KVM): 64 MiB,
 * x86_64, ACPI for hot-plug, no operating system and no disk of its own. No guest OS ever answers
 * an unplug request, which the detach tests rely on.
 *
 * <pre>{@code
 * String xml = TcgDomains.named(TcgDomains.uniqueName("vdtest")).runnable().xml();
 * }</pre>
 */
public final class TcgDomains {

    private final String name;
    private String devices = "";
    private boolean runnable;

    private TcgDomains(String name) {
        this.name = name;
    }

    /**
     * @param name the domain name; it goes into the XML as given
     * @return a definition for libvirt's parser, schema and {@code test:///default} driver
     */
    public static TcgDomains named(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("a test domain name is letters, digits and . _ -: " + name);
        }
        return new TcgDomains(name);
    }

    /**
     * @param prefix what the name starts with, for example {@code vdtest}
     * @return the prefix, a dash and eight random hex digits: domains of several runs never clash
     */
    public static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * @param deviceXml device elements (disks, graphics...) to put into {@code <devices>}
     * @return this definition
     */
    public TcgDomains devices(String deviceXml) {
        this.devices = deviceXml;
        return this;
    }

    /**
     * What a real libvirtd needs to start the guest: one vCPU, the {@code pc} machine, the
     * emulator, no memory balloon, and every exit of the guest ends the domain.
     *
     * @return this definition
     */
    public TcgDomains runnable() {
        this.runnable = true;
        return this;
    }

    /** @return the domain XML */
    public String xml() {
        StringBuilder xml = new StringBuilder("<domain type='qemu'>\n");
        xml.append("  <name>").append(name).append("</name>\n");
        xml.append("  <memory unit='MiB'>64</memory>\n");
        if (runnable) {
            xml.append("  <vcpu>1</vcpu>\n");
        }
        xml.append("  <os><type arch='x86_64'").append(runnable ? " machine='pc'" : "").append(">hvm</type></os>\n");
        xml.append("  <features><acpi/></features>\n");
        if (runnable) {
            xml.append("  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>\n");
        }
        xml.append("  <devices>\n");
        if (runnable) {
            xml.append("    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n");
        }
        if (!devices.isEmpty()) {
            xml.append(devices).append('\n');
        }
        if (runnable) {
            xml.append("    <memballoon model='none'/>\n");
        }
        return xml.append("  </devices>\n</domain>\n").toString();
    }
}
