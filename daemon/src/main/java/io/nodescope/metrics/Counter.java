package io.nodescope.metrics;

import java.util.concurrent.atomic.LongAdder;

/** A monotonically increasing count, cheap to bump from any thread. */
public final class Counter {
    private final LongAdder adder = new LongAdder();

    Counter() {}

    public void increment() {
        adder.increment();
    }

    public void add(long delta) {
        adder.add(delta);
    }

    public long get() {
        return adder.sum();
    }
}
