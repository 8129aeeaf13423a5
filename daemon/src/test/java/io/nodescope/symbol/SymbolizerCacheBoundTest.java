package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SymbolizerCacheBoundTest {
    private static final long MIB = 1L << 20;

    @Test
    void aBoundedHeapGetsItsShareNotTheFixedMaximum() {
        assertEquals(16 * MIB, Symbolizer.shareOfHeap(256 * MIB, 8, 128 * MIB)); // deploy/jvm.options' -Xmx128m
    }

    @Test
    void aLargeHeapStopsAtTheFixedMaximum() {
        assertEquals(256 * MIB, Symbolizer.shareOfHeap(256 * MIB, 8, 6L * 1024 * MIB)); // the JVM's default on 24 GB
    }
}
