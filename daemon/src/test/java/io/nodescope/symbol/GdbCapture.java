package io.nodescope.symbol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * gdb stops a process and writes, per thread, the registers and stack bytes a nodescope event would
 * carry together with gdb's own backtrace of that very state (symbol/unwind/gdb-capture.py): the
 * input of the unwinder and its expected output, from the same moment.
 */
final class GdbCapture {
    /** A frame gdb found: its pc (a return address for callers, as bt prints it) and function. */
    record GdbFrame(long pc, String function) {}

    record ThreadState(int tid, UserStack stack, List<GdbFrame> gdbFrames, String gdbStopReason) {
        List<Long> gdbPcs() {
            return gdbFrames.stream().map(GdbFrame::pc).toList();
        }

        String describe() {
            StringBuilder text = new StringBuilder("thread " + tid + " (gdb: " + gdbStopReason + ")");
            gdbFrames.forEach(frame -> text.append("\n  ").append(Long.toHexString(frame.pc())).append(' ')
                    .append(frame.function()));
            return text.toString();
        }
    }

    private GdbCapture() {}

    /** Attaches to a running process, captures every thread, detaches (the process runs on). */
    static List<ThreadState> attach(long pid) {
        return capture(List.of("-p", Long.toString(pid)));
    }

    /**
     * Attaches, continues to a breakpoint (e.g. "f@plt"), captures there and detaches. {@code nudge}
     * runs every 50 ms until gdb is done: it makes the program reach the breakpoint, and since the
     * program passes it on every nudge, it does not matter when gdb's breakpoint went in.
     */
    static List<ThreadState> attachAtBreakpoint(long pid, String breakpoint, Runnable nudge) {
        return capture(List.of("-p", Long.toString(pid), "-ex", "break " + breakpoint, "-ex", "continue"), nudge);
    }

    private static List<ThreadState> capture(List<String> target) {
        return capture(target, () -> { });
    }

    private static List<ThreadState> capture(List<String> target, Runnable nudge) {
        try {
            Path output = Files.createTempFile("gdb-capture", ".txt");
            try {
                List<String> command = new ArrayList<>(List.of("gdb", "-batch", "-nx",
                        "-ex", "set debuginfod enabled off",
                        // gdb stops at main by default; the unwinder goes on to _start and clone3.
                        "-ex", "set backtrace past-main on", "-ex", "set backtrace past-entry on"));
                command.addAll(target);
                command.addAll(List.of("-x", UnwindTestProgram.SOURCES.resolve("gdb-capture.py").toString()));
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
                builder.environment().put("NODESCOPE_GDB_CAPTURE", output.toString());
                Process gdb = builder.start();
                for (int waited = 0; !gdb.waitFor(50, TimeUnit.MILLISECONDS); waited += 50) {
                    if (waited > 120_000) {
                        gdb.destroyForcibly();
                        throw new IllegalStateException("gdb did not finish within 2 minutes: " + command);
                    }
                    nudge.run();
                }
                if (gdb.exitValue() != 0) {
                    throw new IllegalStateException("gdb failed (" + gdb.exitValue() + "): " + command);
                }
                return parse(Files.readAllLines(output));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<ThreadState> parse(List<String> lines) {
        List<ThreadState> threads = new ArrayList<>();
        int tid = 0;
        Map<String, Long> registers = new HashMap<>();
        byte[] stack = new byte[0];
        List<GdbFrame> frames = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.split(" ", 3);
            switch (fields[0]) {
                case "thread" -> {
                    tid = Integer.parseInt(fields[1]);
                    registers = new HashMap<>();
                    frames = new ArrayList<>();
                }
                case "register" -> registers.put(fields[1], Long.parseUnsignedLong(fields[2], 16));
                case "stack" -> stack = fields.length > 1 ? HexFormat.of().parseHex(fields[1]) : new byte[0];
                case "frame" -> frames.add(new GdbFrame(Long.parseUnsignedLong(fields[1], 16), fields[2]));
                case "stopped" -> threads.add(new ThreadState(tid, new UserStack(new UserStack.Registers(
                        registers.get("rip"), registers.get("rsp"), registers.get("rbp"), registers.get("rbx"),
                        registers.get("r12"), registers.get("r13"), registers.get("r14"), registers.get("r15")),
                        ByteBuffer.wrap(stack)), List.copyOf(frames), line.substring("stopped ".length())));
                default -> throw new IllegalStateException("unexpected gdb capture line: " + line);
            }
        }
        return threads;
    }
}
