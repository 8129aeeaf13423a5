package io.nodescope.ringbuf;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One epoll instance over several rings: wait until one has data (or timeout), then drain all.
 *
 * <p>Rings are registered edge-triggered. A ringbuf fd polls readable whenever any byte is unread
 * (ringbuf_map_poll_kern), so level-triggered epoll_wait returns at once while a producer is
 * active and the consumer spins on batches of one or two records, whatever the BPF program's
 * BPF_RB_NO_WAKEUP says. Edge-triggered, epoll_wait returns only after a kernel wake-up, so a
 * program that wakes once per batch (BPF_RB_NO_WAKEUP until enough bytes wait, then
 * BPF_RB_FORCE_WAKEUP) costs one wait per batch; bench/README.md has the figures.
 *
 * <p>Edge-triggered is safe because {@link #poll} waits only after a drain consumed nothing on
 * any ring, discarded records included: each ring is then empty or stops at an uncommitted
 * record, so the next commit finds consumer_pos equal to its own position (the kernel's default
 * wake-up condition), and a wake-up that comes before epoll_wait still leaves the fd on epoll's
 * ready list. Records a program commits with BPF_RB_NO_WAKEUP below its threshold wake no one;
 * the timeout fetches them.
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
            event.setInt(0, Libc.EPOLLIN | Libc.EPOLLET);
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
        long consumedBefore = consumedBytes();
        int handed = drainAll();
        if (consumedBytes() != consumedBefore) {
            // Not only handed records: a drain that consumed only discarded ones still moved
            // consumer_pos, so records committed meanwhile did not wake us and must not be waited for.
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

    /** Sum of the rings' consumer positions: changes exactly when any ring consumed something. */
    private long consumedBytes() {
        long sum = 0;
        for (Subscription subscription : subscriptions) {
            sum += subscription.ring().consumerPosition();
        }
        return sum;
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
