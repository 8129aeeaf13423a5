package io.nodescope.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Waits on what a started process prints (stdout merged with stderr, as MemoryCgroup starts them). */
public final class ProcessOutput {
    private ProcessOutput() {}

    /** Reads lines until one contains text; fails if the process ends first. */
    public static void await(Process process, String text) throws IOException {
        BufferedReader reader = process.inputReader(StandardCharsets.UTF_8);
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.contains(text)) {
                return;
            }
        }
        throw new AssertionError("process ended before printing '" + text + "'");
    }
}
