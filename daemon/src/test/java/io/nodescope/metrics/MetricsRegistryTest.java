package io.nodescope.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MetricsRegistryTest {
    private final MetricsRegistry registry = new MetricsRegistry();

    @Test
    void rendersHelpAndTypeOnceBeforeTheSamplesOfAFamilyInLabelOrder() {
        Counter oom = registry.counter("nodescope_events_total", "Events read from the kernel.", "ring", "oom");
        Counter exits = registry.counter("nodescope_events_total", "Events read from the kernel.", "ring", "exit");
        oom.add(3);
        exits.increment();

        assertEquals("""
                # HELP nodescope_events_total Events read from the kernel.
                # TYPE nodescope_events_total counter
                nodescope_events_total{ring="exit"} 1.0
                nodescope_events_total{ring="oom"} 3.0
                """, registry.renderPrometheusText());
    }

    @Test
    void rendersFamiliesInNameOrderAndSamplesWithoutLabelsBare() {
        registry.gauge("nodescope_b", "B.", () -> 2);
        registry.gauge("nodescope_a", "A.", () -> 1);

        assertEquals("""
                # HELP nodescope_a A.
                # TYPE nodescope_a gauge
                nodescope_a 1.0
                # HELP nodescope_b B.
                # TYPE nodescope_b gauge
                nodescope_b 2.0
                """, registry.renderPrometheusText());
    }

    @Test
    void sortsLabelsByNameAndEscapesTheirValues() {
        registry.counter("nodescope_x_total", "X.", "zone", "z", "container", "a\"b\\c\nd");

        assertEquals("""
                # HELP nodescope_x_total X.
                # TYPE nodescope_x_total counter
                nodescope_x_total{container="a\\"b\\\\c\\nd",zone="z"} 0.0
                """, registry.renderPrometheusText());
    }

    @Test
    void escapesBackslashAndNewlineInHelp() {
        registry.gauge("nodescope_g", "first\\second\nthird", () -> 0);

        assertEquals("""
                # HELP nodescope_g first\\\\second\\nthird
                # TYPE nodescope_g gauge
                nodescope_g 0.0
                """, registry.renderPrometheusText());
    }

    @Test
    void readsCounterFromAndGaugeSuppliersAtRenderTime() {
        AtomicLong lost = new AtomicLong();
        AtomicLong queued = new AtomicLong();
        registry.counterFrom("nodescope_lost_total", "Lost.", lost::get);
        registry.gauge("nodescope_queued", "Queued.", queued::get);

        lost.set(7);
        queued.set(42);
        String first = registry.renderPrometheusText();
        lost.set(9);
        queued.set(5);
        String second = registry.renderPrometheusText();

        assertEquals("""
                # HELP nodescope_lost_total Lost.
                # TYPE nodescope_lost_total counter
                nodescope_lost_total 7.0
                # HELP nodescope_queued Queued.
                # TYPE nodescope_queued gauge
                nodescope_queued 42.0
                """, first);
        assertEquals("""
                # HELP nodescope_lost_total Lost.
                # TYPE nodescope_lost_total counter
                nodescope_lost_total 9.0
                # HELP nodescope_queued Queued.
                # TYPE nodescope_queued gauge
                nodescope_queued 5.0
                """, second);
    }

    @Test
    void rejectsTheSameNameAndLabelsTwice() {
        registry.counter("nodescope_dup_total", "Dup.", "ring", "oom");

        assertThrows(IllegalArgumentException.class,
                () -> registry.counter("nodescope_dup_total", "Dup.", "ring", "oom"));
        assertThrows(IllegalArgumentException.class,
                () -> registry.counterFrom("nodescope_dup_total", "Dup.", () -> 0, "ring", "oom"));
    }

    @Test
    void rejectsAFamilyChangingItsType() {
        registry.counter("nodescope_mixed", "Mixed.", "ring", "oom");

        assertThrows(IllegalArgumentException.class,
                () -> registry.gauge("nodescope_mixed", "Mixed.", () -> 0, "ring", "exit"));
    }

    @Test
    void rejectsInvalidMetricNames() {
        assertThrows(IllegalArgumentException.class, () -> registry.counter("", "Empty."));
        assertThrows(IllegalArgumentException.class, () -> registry.counter("1st_total", "Digit first."));
        assertThrows(IllegalArgumentException.class, () -> registry.gauge("queue-depth", "Dash.", () -> 0));
    }

    @Test
    void rejectsLabelsThatAreNotNameValuePairs() {
        assertThrows(IllegalArgumentException.class, () -> registry.counter("nodescope_odd_total", "Odd.", "ring"));
    }

    @Test
    void rejectsLabelNamesTheExpositionFormatCannotCarry() {
        assertThrows(IllegalArgumentException.class, () -> registry.counter("nodescope_a_total", "A.", "pod-name", "p"));
        assertThrows(IllegalArgumentException.class, () -> registry.counter("nodescope_a_total", "A.", "ns:pod", "p"));
        assertThrows(IllegalArgumentException.class, () -> registry.counter("nodescope_a_total", "A.", "__name__", "p"));
        assertThrows(IllegalArgumentException.class, () -> registry.counter("nodescope_a_total", "A.", "", "p"));
    }

    @Test
    void rejectsALabelNameGivenTwiceInsteadOfKeepingOneValue() {
        assertThrows(IllegalArgumentException.class,
                () -> registry.counter("nodescope_a_total", "A.", "ring", "oom", "ring", "exit"));
    }

    @Test
    void rejectsMissingHelpOrLabelValueAtRegistrationNotAtRender() {
        assertThrows(NullPointerException.class, () -> registry.gauge("nodescope_g", null, () -> 0));
        assertThrows(NullPointerException.class, () -> registry.gauge("nodescope_g", "G.", () -> 0, "ring", null));

        assertEquals("", registry.renderPrometheusText());
    }

    @Test
    void aRejectedRegistrationLeavesNothingBehind() {
        assertThrows(IllegalArgumentException.class, () -> registry.counter("nodescope_odd_total", "Odd.", "ring"));

        assertEquals("", registry.renderPrometheusText());
    }
}
