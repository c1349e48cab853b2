package org.volumedriver.exec.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/** Keeps every posted event; a synchronous send is a failure (producers post asynchronously only). */
public final class RecordingEventAdmin implements EventAdmin {

    private final List<Event> posted = new ArrayList<>();

    @Override
    public synchronized void postEvent(Event event) {
        posted.add(event);
    }

    @Override
    public void sendEvent(Event event) {
        throw new AssertionError("sendEvent used for " + event.getTopic() + "; events must be posted");
    }

    /** @return the events posted so far, in order */
    public synchronized List<Event> posted() {
        return List.copyOf(posted);
    }
}
