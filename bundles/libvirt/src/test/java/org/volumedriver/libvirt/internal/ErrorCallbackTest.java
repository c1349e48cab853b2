package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * libvirt's global error function: installed, it receives libvirt's errors (instead of stderr);
 * uninstalled (component deactivation, before a bundle update), libvirt no longer calls into this
 * class loader's JNA callback.
 */
class ErrorCallbackTest {

    private Connect raw;

    @BeforeEach
    void open() throws Exception {
        Prerequisites.requireLibvirt();
        // a plain connection without a per-connection callback: errors go to the global function
        raw = new Connect("test:///default");
    }

    @AfterEach
    void close() throws Exception {
        Libvirt.installErrorCallback();
        if (raw != null) {
            raw.close();
        }
    }

    private void provokeError() {
        assertThrows(LibvirtException.class, () -> raw.domainLookupByName("no-such-domain"));
    }

    @Test
    void installedTheCallbackReceivesErrorsAndUninstalledItDoesNot() throws Exception {
        Libvirt.installErrorCallback();
        long before = Libvirt.errorsReported();
        provokeError();
        assertTrue(Libvirt.errorsReported() > before, "the callback did not receive the error");

        Libvirt.uninstallErrorCallback();
        long afterUninstall = Libvirt.errorsReported();
        provokeError();
        assertEquals(afterUninstall, Libvirt.errorsReported(), "libvirt still calls the uninstalled callback");

        Libvirt.installErrorCallback();
        provokeError();
        assertTrue(Libvirt.errorsReported() > afterUninstall);
    }
}
