package org.volumedriver.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class SizeArgumentTest {

    @Test
    void bytesOrOneBinarySuffix() {
        assertEquals(1L, SizeArgument.parseBytes("1"));
        assertEquals(1073741824L, SizeArgument.parseBytes("1073741824"));
        assertEquals(512L * 1024, SizeArgument.parseBytes("512K"));
        assertEquals(64L << 20, SizeArgument.parseBytes("64M"));
        assertEquals(10L << 30, SizeArgument.parseBytes("10G"));
        assertEquals(2L << 40, SizeArgument.parseBytes("2T"));
        assertEquals(Long.MAX_VALUE, SizeArgument.parseBytes(Long.toString(Long.MAX_VALUE)));
        assertEquals(8388607L << 40, SizeArgument.parseBytes("8388607T"));
    }

    @Test
    void everythingElseIsRefusedNamingTheAcceptedForms() {
        for (String bad : Arrays.asList(null, "", " ", "0", "0G", "010", "-1", "+1", "1.5G", "1,5G", "1e9", "10g", "10k", "10 G", " 10G",
                "10G ", "10GB", "10GiB", "10KG", "G", "0x10", "١٠", "10\nG", "1_000")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SizeArgument.parseBytes(bad), String.valueOf(bad));
            assertTrue(e.getMessage().contains("binary suffixes K, M, G, T"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void overflowIsRefusedNotWrapped() {
        for (String big : List.of("8388608T", "9223372036854775808", "9999999999999999999", "9223372036854775807K")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SizeArgument.parseBytes(big), big);
            assertTrue(e.getMessage().contains("larger than 9223372036854775807 bytes"), e.getMessage());
        }
        // twenty digits do not even match the form
        assertThrows(IllegalArgumentException.class, () -> SizeArgument.parseBytes("12345678901234567890"));
    }

    @Test
    void describeNamesTheLargestWholeUnit() {
        assertEquals("1048576 (1 MiB)", SizeArgument.describe(1L << 20));
        assertEquals("2147483648 (2 GiB)", SizeArgument.describe(2L << 30));
        assertEquals("1536", SizeArgument.describe(1536));
        assertEquals("3145728 (3 MiB)", SizeArgument.describe(3L << 20));
        assertEquals("1000", SizeArgument.describe(1000));
        assertEquals("0", SizeArgument.describe(0));
    }
}
