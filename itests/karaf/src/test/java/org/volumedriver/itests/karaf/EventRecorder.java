package org.volumedriver.itests.karaf;

import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.volumedriver.spi.VolumeEvents;

/**
 * An Event Admin handler for every volumedriver topic that keeps what it receives, in the order
 * of delivery, optionally sleeping per event (a slow subscriber).
 */
public final class EventRecorder implements EventHandler, AutoCloseable {

    private final List<Event> received = new ArrayList<>();
    private final long sleepMillis;
    private ServiceRegistration<EventHandler> registration;

    private EventRecorder(long sleepMillis) {
        this.sleepMillis = sleepMillis;
    }

    /** Registers a recorder for {@link VolumeEvents#ALL_TOPICS}. */
    public static EventRecorder register(BundleContext context) {
        return register(context, 0);
    }

    /** Registers a recorder that sleeps {@code sleepMillis} in each delivery. */
    public static EventRecorder register(BundleContext context, long sleepMillis) {
        EventRecorder recorder = new EventRecorder(sleepMillis);
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(EventConstants.EVENT_TOPIC, new String[] {VolumeEvents.ALL_TOPICS});
        recorder.registration = context.registerService(EventHandler.class, recorder, properties);
        return recorder;
    }

    @Override
    public void handleEvent(Event event) {
        synchronized (this) {
            received.add(event);
            notifyAll();
        }
        if (sleepMillis > 0) {
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** @return what arrived so far */
    public synchronized List<Event> events() {
        return List.copyOf(received);
    }

    /** @return the topics of what arrived so far, in order */
    public synchronized List<String> topics() {
        return received.stream().map(Event::getTopic).collect(Collectors.toList());
    }

    /** Waits until an event matching {@code condition} has arrived and returns the first one. */
    public synchronized Event await(String what, Predicate<Event> condition, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            for (Event e : received) {
                if (condition.test(e)) {
                    return e;
                }
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                fail("no event " + what + " within " + timeoutMillis + " ms; received: " + topics());
            }
            wait(left);
        }
    }

    /** Waits for the first event of {@code topic}. */
    public Event await(String topic, long timeoutMillis) throws InterruptedException {
        return await(topic, e -> e.getTopic().equals(topic), timeoutMillis);
    }

    /** Waits until {@code count} events have arrived. */
    public synchronized void awaitCount(int count, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (received.size() < count) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                fail(count + " events expected within " + timeoutMillis + " ms; received: " + topics());
            }
            wait(left);
        }
    }

    public synchronized void clear() {
        received.clear();
    }

    @Override
    public void close() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }
}
