package io.nodescope.symbol;

import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;

/**
 * Why lookups gave no name, counted by cause: a rising malformed count points at a hostile or exotic
 * binary, a rising unreadable count at missing privileges or a process gone before its snapshot.
 */
final class SymbolFailures {
    final Counter malformed;
    final Counter unreadable;
    final Counter unexpected;
    final Counter unresolvedFrames;
    final Counter resolvedFrames;

    SymbolFailures(MetricsRegistry metrics) {
        String failures = "nodescope_symbol_failures_total";
        String help = "Files the symbolizer could not use, by cause";
        malformed = metrics.counter(failures, help, "cause", "malformed");
        unreadable = metrics.counter(failures, help, "cause", "unreadable");
        // A parser bug met by input nobody foresaw: caught so one binary cannot stop the pipeline.
        unexpected = metrics.counter(failures, help, "cause", "unexpected");
        String frames = "nodescope_symbol_frames_total";
        String framesHelp = "Frames symbolized, by whether a function name was found";
        resolvedFrames = metrics.counter(frames, framesHelp, "result", "resolved");
        unresolvedFrames = metrics.counter(frames, framesHelp, "result", "unresolved");
    }
}
