package org.volumedriver.libvirt.internal;

import org.libvirt.Connect;
import org.volumedriver.spi.HypervisorException;

/**
 * Where operations get their libvirt connection. A daemon-backed URI ({@code qemu:///system}) gets
 * a fresh connection per operation, so nothing goes stale and a restarted libvirtd is picked up.
 * libvirt's test driver ({@code test:///…}) keeps its domains inside the connection, so a fresh
 * connection would forget what the previous operation changed: for it one connection is kept open
 * and lent to each operation. A kept connection that is replaced (another URI) or closed is really
 * closed only when its last borrower gives it back, because libvirt frees a connection whose
 * reference count reaches zero while calls on it could still be under way.
 */
final class TestDriverConnection implements AutoCloseable {

    /** One kept connection and how many operations use it now. */
    private static final class Kept {
        final String uri;
        final Connect connect;
        int borrowers;
        boolean retired;

        Kept(String uri, Connect connect) {
            this.uri = uri;
            this.connect = connect;
        }
    }

    private Kept current;
    private int closedConnections;

    /**
     * @param uri a libvirt URI
     * @return whether it names libvirt's test driver, whose state lives in the connection
     */
    static boolean isTestDriver(String uri) {
        return uri.startsWith("test:");
    }

    /**
     * @param uri the URI in force
     * @return a session for one operation; close it when the operation ends
     * @throws HypervisorException if the connection cannot be opened
     */
    Libvirt session(String uri) throws HypervisorException {
        if (!isTestDriver(uri)) {
            return Libvirt.open(uri);
        }
        Kept kept = borrow(uri);
        return Libvirt.borrow(kept.connect, () -> giveBack(kept));
    }

    private synchronized Kept borrow(String uri) throws HypervisorException {
        if (current != null && !current.uri.equals(uri)) {
            retire(current);
            current = null;
        }
        if (current == null) {
            current = new Kept(uri, Libvirt.openConnect(uri));
        }
        current.borrowers++;
        return current;
    }

    private synchronized void giveBack(Kept kept) {
        kept.borrowers--;
        if (kept.retired && kept.borrowers == 0) {
            closeNow(kept);
        }
    }

    private void retire(Kept kept) {
        kept.retired = true;
        if (kept.borrowers == 0) {
            closeNow(kept);
        }
    }

    private void closeNow(Kept kept) {
        Libvirt.close(kept.connect);
        closedConnections++;
    }

    /** @return how many kept connections were really closed, for tests */
    synchronized int closedConnections() {
        return closedConnections;
    }

    /** @return whether a connection is kept open now, for tests */
    synchronized boolean keepsOne() {
        return current != null;
    }

    /** Closes the kept connection, at once or when its last borrower gives it back. */
    @Override
    public synchronized void close() {
        if (current != null) {
            retire(current);
            current = null;
        }
    }
}
