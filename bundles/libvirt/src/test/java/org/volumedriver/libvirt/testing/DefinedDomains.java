package org.volumedriver.libvirt.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * The domains a test defined, removed again after it: destroyed if running, undefined if
 * persistent. A domain that is already gone is no error.
 */
public final class DefinedDomains {

    private final List<String> names = new CopyOnWriteArrayList<>();

    /**
     * @param name the name of a domain the test is about to define
     * @return the name
     */
    public String add(String name) {
        names.add(name);
        return name;
    }

    /**
     * Removes every domain added.
     *
     * @param connect an open connection to the hypervisor that has them
     */
    public void removeAll(Connect connect) {
        for (String name : names) {
            remove(connect, name);
        }
        names.clear();
    }

    /**
     * @param connect an open connection to the hypervisor
     * @param name the domain to remove, if it is there
     */
    public static void remove(Connect connect, String name) {
        try {
            Domain dom = connect.domainLookupByName(name);
            try {
                if (dom.isActive() == 1) {
                    dom.destroy();
                }
                if (dom.isPersistent() == 1) {
                    dom.undefine();
                }
            } finally {
                dom.free();
            }
        } catch (LibvirtException e) {
            // already gone
        }
    }
}
