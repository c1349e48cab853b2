package org.volumedriver.testsupport;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class RealTestsTest {

    @Test
    void aMissingPrerequisiteSkipsOrFailsWhenRequired() {
        assertDoesNotThrow(() -> RealTests.require(true, "x is not installed"));
        Throwable missing = assertThrows(Throwable.class, () -> RealTests.require(false, "x is not installed"));
        Class<? extends Throwable> expected = RealTests.required() ? AssertionFailedError.class : TestAbortedException.class;
        assertEquals(expected, missing.getClass());
    }

    @Test
    void aRequiredTestNamesEveryMissingPrerequisite() {
        Throwable outcome = assertThrows(Throwable.class, () -> RealTests.onlyWhenRequired("the sample test")
                .need(true, "root").need(false, "/dev/fuse").need(false, "libvirtd").check());
        if (RealTests.required()) {
            assertEquals("the sample test is required but these prerequisites are missing: [/dev/fuse, libvirtd]", outcome.getMessage());
        } else {
            assertInstanceOf(TestAbortedException.class, outcome);
        }
    }
}
