package org.volumedriver.libvirt.internal;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the tests on libvirt's in-process test driver ({@code test:///default}): one connection
 * per test class, opened before its first test (skipped without libvirt.so.0) and closed after its
 * last. The test driver keeps its state for as long as a connection to it is open, so the domains
 * a test defines stay visible to the connections the code under test opens.
 */
abstract class TestDriverFixture {

    static Libvirt libvirt;

    @BeforeAll
    static void openTestDriver() throws Exception {
        Prerequisites.requireLibvirt();
        libvirt = Libvirt.open("test:///default");
    }

    @AfterAll
    static void closeTestDriver() {
        if (libvirt != null) {
            libvirt.close();
            libvirt = null;
        }
    }
}
