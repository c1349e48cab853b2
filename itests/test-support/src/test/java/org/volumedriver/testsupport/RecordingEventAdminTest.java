package org.volumedriver.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;

class RecordingEventAdminTest {

    private static Event event(String topic, int n) {
        return new Event(topic, Map.of("n", n));
    }

    @Test
    void keepsPostedEventsInOrderAndAnswersByTopic() {
        RecordingEventAdmin events = new RecordingEventAdmin();
        assertEquals(List.of(), events.posted());
        Event a1 = event("a/b", 1);
        Event c = event("c/d", 2);
        Event a2 = event("a/b", 3);
        events.postEvent(a1);
        events.postEvent(c);
        events.postEvent(a2);
        assertEquals(List.of(a1, c, a2), events.posted());
        assertEquals(List.of("a/b", "c/d", "a/b"), events.topics());
        assertEquals(List.of(a1, a2), events.topic("a/b"));
        assertEquals(List.of(), events.topic("e/f"));
        assertSame(a2, events.last("a/b"));
        assertSame(c, events.last("c/d"));
    }

    @Test
    void aSnapshotDoesNotChangeWithLaterPosts() {
        RecordingEventAdmin events = new RecordingEventAdmin();
        events.postEvent(event("a/b", 1));
        List<Event> before = events.posted();
        events.postEvent(event("a/b", 2));
        assertEquals(1, before.size());
        assertThrows(UnsupportedOperationException.class, () -> before.add(event("a/b", 3)));
    }

    @Test
    void aSendOrAMissingTopicFailsTheTest() {
        RecordingEventAdmin events = new RecordingEventAdmin();
        AssertionError sent = assertThrows(AssertionError.class, () -> events.sendEvent(event("a/b", 1)));
        assertTrue(sent.getMessage().contains("a/b"), sent.getMessage());
        assertEquals(List.of(), events.posted(), "a sent event is not recorded");
        events.postEvent(event("c/d", 1));
        AssertionError missing = assertThrows(AssertionError.class, () -> events.last("a/b"));
        assertTrue(missing.getMessage().contains("[c/d]"), missing.getMessage());
    }

    @Test
    void postsFromManyThreadsAreAllKept() throws Exception {
        RecordingEventAdmin events = new RecordingEventAdmin();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            for (int i = 0; i < 800; i++) {
                int n = i;
                threads.execute(() -> events.postEvent(event("a/b", n)));
            }
        } finally {
            threads.shutdown();
        }
        assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(800, events.topic("a/b").size());
    }
}
