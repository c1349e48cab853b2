package org.volumedriver.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void theStateFollowsTheLastParenthesis() {
        assertEquals('S', ProcStat.state("1234 (java) S 1 1234 1234 0 -1"));
        // a command name may hold ") R (" itself
        assertEquals('T', ProcStat.state("1234 (a) R (b) T 1 1234 1234 0 -1"));
        assertEquals('Z', ProcStat.state("77 (x y) Z 1"));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.state("1234 java S 1"));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.state("1234 (java)"));
    }

    @Test
    void thisProcessAndItsThreads() throws Exception {
        long self = ProcessHandle.current().pid();
        assertTrue(ProcStat.alive(self));
        assertTrue(ProcStat.state(self).isPresent());
        List<Character> tasks = ProcStat.taskStates(self);
        assertTrue(tasks.size() > 1, tasks.toString());
        assertTrue(tasks.stream().noneMatch(s -> s == 'Z' || s == 'X'), tasks.toString());
    }

    @Test
    void aFinishedProcessIsNotAlive() throws Exception {
        Process p = new ProcessBuilder("/bin/true").start();
        p.waitFor();
        assertFalse(ProcStat.alive(p.pid()));
        assertEquals(Optional.empty(), ProcStat.state(Long.MAX_VALUE));
    }
}
