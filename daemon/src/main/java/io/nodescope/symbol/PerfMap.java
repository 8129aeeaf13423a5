package io.nodescope.symbol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * /tmp/perf-PID.map, the text symbol file JITs write (JVM -XX:+DumpPerfMapAtExit or jcmd
 * Compiler.perfmap, Node --perf-basic-prof, .NET): one "START SIZE name" line per compiled method,
 * START and SIZE in hex with or without 0x. The file is appended to as methods are compiled; later
 * lines for the same start win (a method recompiled at a reused address).
 */
final class PerfMap {
    /** Busy JVMs write a few hundred thousand lines; the cap bounds a runaway or hostile file. */
    static final int MAX_ENTRIES = 2 << 20;
    private static final int MAX_LINE_BYTES = 64 << 10;

    private PerfMap() {}

    /** The fuzzing entry point. Lines that do not parse are skipped, not fatal: a JIT may be mid-write. */
    static SymbolTable parse(ByteBuffer file) {
        BoundedReader bytes = BoundedReader.littleEndian(file, "perf map");
        List<String> names = new ArrayList<>();
        List<long[]> ranges = new ArrayList<>();
        long lineStart = 0;
        while (lineStart < bytes.size() && names.size() < MAX_ENTRIES) {
            long newline = bytes.indexOf((byte) '\n', lineStart);
            long lineEnd = newline < 0 ? bytes.size() : newline;
            if (lineEnd - lineStart <= MAX_LINE_BYTES) {
                parseLine(bytes.textUntil((byte) '\n', lineStart, MAX_LINE_BYTES), names, ranges);
            }
            lineStart = lineEnd + 1;
        }
        // Added last-line-first so the latest entry at an address is the one the builder keeps.
        SymbolTable.Builder builder = new SymbolTable.Builder(names.size());
        for (int i = names.size() - 1; i >= 0; i--) {
            builder.add(ranges.get(i)[0], ranges.get(i)[1], i);
        }
        List<String> frozen = List.copyOf(names);
        return builder.build(frozen::get);
    }

    private static void parseLine(String line, List<String> names, List<long[]> ranges) {
        String[] fields = line.split(" ", 3);
        if (fields.length < 3 || fields[2].isBlank()) {
            return;
        }
        try {
            long start = Long.parseUnsignedLong(withoutHexPrefix(fields[0]), 16);
            long size = Long.parseUnsignedLong(withoutHexPrefix(fields[1]), 16);
            if (size == 0) {
                return; // A zero size would make the entry reach to the next one: no JIT writes that.
            }
            ranges.add(new long[] {start, size});
            names.add(fields[2].strip());
        } catch (NumberFormatException e) {
            // Skipped, see parse().
        }
    }

    private static String withoutHexPrefix(String number) {
        return number.startsWith("0x") || number.startsWith("0X") ? number.substring(2) : number;
    }
}
