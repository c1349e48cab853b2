package org.volumedriver.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/**
 * An OSGi Event Admin that keeps every posted event, in order, from any thread. The product only
 * posts: a synchronous {@link #sendEvent} would block the caller on every handler, so it fails the
 * test.
 */
public final class RecordingEventAdmin implements EventAdmin {

    private final List<Event> posted = new CopyOnWriteArrayList<>();

    @Override
    public void postEvent(Event event) {
        posted.add(event);
    }

    @Override
    public void sendEvent(Event event) {
        throw new AssertionError("sendEvent used for " + event.getTopic() + "; events must be posted");
    }

    /** @return the events posted so far, in order */
    public List<Event> posted() {
        return List.copyOf(posted);
    }

    /** @return the topics of the events posted so far, in order */
    public List<String> topics() {
        return posted.stream().map(Event::getTopic).toList();
    }

    /**
     * @param topic an event topic
     * @return the events posted on that topic, in order
     */
    public List<Event> topic(String topic) {
        return posted.stream().filter(e -> e.getTopic().equals(topic)).toList();
    }

    /**
     * @param topic an event topic
     * @return the last event posted on that topic
     * @throws AssertionError when none was posted
     */
    public Event last(String topic) {
        List<Event> on = topic(topic);
        if (on.isEmpty()) {
            throw new AssertionError("no event posted on " + topic + "; posted: " + topics());
        }
        return on.get(on.size() - 1);
    }
}
