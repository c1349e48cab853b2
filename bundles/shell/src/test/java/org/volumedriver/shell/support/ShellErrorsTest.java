package org.volumedriver.shell.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.Test;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.MountBusyException;
import org.volumedriver.spi.UnknownDriverException;
import org.volumedriver.spi.VolumeDriverException;

class ShellErrorsTest {

    @Test
    void typedFailureShowsItsCodeAndMessage() {
        assertEquals("Error [MOUNT_BUSY]: mount /base/x is busy and stays mounted",
                ShellErrors.line(new MountBusyException("/base/x")));
        assertEquals("Error [UNKNOWN_DRIVER]: no volume driver for type 'nfs'; available: [quobyte]",
                ShellErrors.line(new UnknownDriverException("nfs", List.of("quobyte"))));
        assertEquals("Error [INVALID_CONNECTION_INFO]: invalid connection info: data.name must not contain '/'",
                ShellErrors.line(new InvalidConnectionInfoException("data.name", "must not contain '/'")));
    }

    @Test
    void badInputAndMissingServicesHaveTheirOwnCodes() {
        assertEquals("Error [INVALID_ARGUMENT]: --file 'x' is not a regular file",
                ShellErrors.line(new IllegalArgumentException("--file 'x' is not a regular file")));
        assertEquals("Error [SERVICE_UNAVAILABLE]: no command executor service is registered; is its bundle installed and active?",
                ShellErrors.line(new ServiceUnavailableException("command executor")));
        assertEquals("Error [INTERNAL_ERROR]: NullPointerException: boom", ShellErrors.line(new NullPointerException("boom")));
        assertEquals("Error [INTERNAL_ERROR]: IllegalStateException", ShellErrors.line(new IllegalStateException()));
    }

    @Test
    void theLineIsOneLineWithoutSecretsAndBounded() {
        String line = ShellErrors.line(new VolumeDriverException("COMMAND_FAILED",
                "mount failed\n\tat stage two\r\npassword=hunter2 token: abc"));
        assertFalse(line.contains("\n") || line.contains("\r") || line.contains("\t"), line);
        assertFalse(line.contains("hunter2"), line);
        assertTrue(line.startsWith("Error [COMMAND_FAILED]: mount failed at stage two password=***"), line);

        String longLine = ShellErrors.line("X", "a".repeat(5000));
        assertTrue(longLine.length() < 600, "capped: " + longLine.length());
        assertTrue(longLine.endsWith("..."));
        assertEquals("Error [X]: (no message)", ShellErrors.line("X", null));
    }

    @Test
    void theCommandExceptionCarriesTheLineAsHelpAndKeepsTheCause() {
        MountBusyException busy = new MountBusyException("/base/x");
        CommandException e = ShellErrors.toCommandException(busy);
        assertEquals("Error [MOUNT_BUSY]: mount /base/x is busy and stays mounted", e.getNiceHelp());
        assertEquals(e.getNiceHelp(), e.getMessage());
        assertSame(busy, e.getCause());
    }
}
