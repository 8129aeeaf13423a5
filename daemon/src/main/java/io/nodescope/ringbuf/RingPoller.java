package io.nodescope.ringbuf;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One epoll instance over several rings: wait until one has data (or timeout), then drain all.
 *
 * <p>A ringbuf map fd polls readable while producer_pos != consumer_pos (ringbuf_map_poll_kern).
 * epoll is level-triggered here, so data that arrived without a wake-up (BPF_RB_NO_WAKEUP, or a
 * commit while our published consumer position lagged) is still found on the next call.
 *
 * <p>Used by one thread. Closing the poller does not close the rings.
 */
public final class RingPoller implements AutoCloseable {
    private record Subscription(MappedRing ring, RecordHandler handler) {}

    private final int epollFd;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private Memory readyEvents = new Memory(Libc.EPOLL_EVENT_SIZE);
    private boolean closed;

    public RingPoller() throws IOException {
        try {
            this.epollFd = Libc.epoll_create1(Libc.EPOLL_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("epoll_create1 failed: " + e.getMessage(), e);
        }
    }

    public void add(MappedRing ring, RecordHandler handler) throws IOException {
        try (Memory event = new Memory(Libc.EPOLL_EVENT_SIZE)) {
            event.clear();
            event.setInt(0, Libc.EPOLLIN);
            Libc.epoll_ctl(epollFd, Libc.EPOLL_CTL_ADD, ring.fd(), event);
        } catch (LastErrorException e) {
            throw new IOException("ring " + ring.name() + ": epoll_ctl(ADD) of map fd " + ring.fd()
                    + " failed: " + e.getMessage(), e);
        }
        subscriptions.add(new Subscription(ring, handler));
        // Only the count of ready fds matters (every ring is drained), but the kernel writes one
        // event per ready fd, so keep room for all of them.
        readyEvents.close();
        readyEvents = new Memory((long) Libc.EPOLL_EVENT_SIZE * subscriptions.size());
    }

    /**
     * Drains what is there; if nothing, epoll_waits up to timeoutMillis and drains again. EINTR is
     * not an error. Returns records handed over.
     */
    public int poll(int timeoutMillis) {
        int handed = drainAll();
        if (handed > 0) {
            return handed;
        }
        try {
            Libc.epoll_wait(epollFd, readyEvents, Math.max(1, subscriptions.size()), timeoutMillis);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Libc.EINTR) {
                throw new IllegalStateException("epoll_wait failed: " + e.getMessage(), e);
            }
        }
        return drainAll();
    }

    /** Every ring, not only those epoll reported: a ring with a sub-wake-up tail is drained too. */
    private int drainAll() {
        int handed = 0;
        for (Subscription subscription : subscriptions) {
            handed += subscription.ring().drain(subscription.handler());
        }
        return handed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(epollFd);
        readyEvents.close();
    }
}
