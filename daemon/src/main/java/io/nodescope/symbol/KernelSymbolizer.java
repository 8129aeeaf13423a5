package io.nodescope.symbol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Kernel frames through /proc/kallsyms, reloaded when /proc/modules changes: a module loaded after
 * start (a CSI driver, a netfilter module) would otherwise leave its frames unnamed, and an unloaded
 * one could lend its stale names to the next module placed at the same addresses. BPF programs and
 * trampolines come and go without /proc/modules changing: a stack reaching into such generated code
 * (or into code no symbol covers) is named from a fresh read of kallsyms.
 *
 * <p>The stacks come from nodescope's own BPF programs, so they start inside the tracer: the program
 * itself and the kernel code that ran it (bpf_trace_run*, the tracepoint's iterator, a trampoline).
 * Those frames are dropped: a stack starts where the traced event happened.
 */
final class KernelSymbolizer {
    /**
     * The kernel functions through which a tracepoint runs a BPF program: tp_btf and raw_tp
     * (__traceiter_*, __bpf_trace_*, bpf_trace_run*), classic tracepoints (perf_trace_*,
     * perf_trace_run_bpf_submit, trace_call_bpf), fentry/fexit (a bpf_trampoline_* in "[bpf]").
     */
    private static final Pattern TRACER_FUNCTION = Pattern.compile(
            "__traceiter_.*|__bpf_trace_.*|bpf_trace_run\\d*|perf_trace_.*|trace_call_bpf|bpf_trampoline_.*");

    private record Loaded(String modulesList, Kallsyms symbols) {}

    private record NamedAddress(long address, Optional<Kallsyms.KernelSymbol> symbol) {
        boolean generatedOrUnknown() {
            return symbol.isEmpty() || symbol.get().generated();
        }
    }

    private final Path kallsymsPath;
    private final Path modulesPath;
    private final SymbolFailures failures;
    private Loaded loaded;

    KernelSymbolizer(Path procRoot, SymbolFailures failures) {
        this.kallsymsPath = procRoot.resolve("kallsyms");
        this.modulesPath = procRoot.resolve("modules");
        this.failures = failures;
    }

    /** The frames of a stack captured by a nodescope BPF program, innermost first, the tracer's own left out. */
    List<Frame> symbolize(List<Long> addresses) {
        Optional<Kallsyms> symbols = current(false);
        List<NamedAddress> stack = withoutTracerFrames(name(symbols, addresses));
        boolean reachesGeneratedCode = stack.stream().anyMatch(NamedAddress::generatedOrUnknown);
        if (reachesGeneratedCode && symbols.isPresent() && !symbols.get().addressesHidden()) {
            stack = withoutTracerFrames(name(current(true), addresses));
        }
        List<Frame> frames = new ArrayList<>(stack.size());
        for (NamedAddress named : stack) {
            if (named.symbol().isPresent()) {
                failures.resolvedFrames.increment();
                Kallsyms.KernelSymbol found = named.symbol().get();
                frames.add(new Frame(named.address(), Optional.of(found.function()), found.offset(),
                        Optional.of(found.module()), named.address(), Optional.empty(), 0));
            } else {
                failures.unresolvedFrames.increment();
                frames.add(Frame.unresolved(named.address(), Optional.of(Kallsyms.KERNEL_MODULE), named.address()));
            }
        }
        return frames;
    }

    /** Callers are named at their return address - 1, as user frames are: see {@link UserSymbolizer#lookupAddress}. */
    private static List<NamedAddress> name(Optional<Kallsyms> symbols, List<Long> addresses) {
        List<NamedAddress> named = new ArrayList<>(addresses.size());
        for (int i = 0; i < addresses.size(); i++) {
            long address = addresses.get(i);
            long lookupAt = UserSymbolizer.lookupAddress(address, i);
            named.add(new NamedAddress(address, symbols.flatMap(s -> s.lookup(lookupAt))
                    .map(symbol -> symbol.movedBy(address - lookupAt))));
        }
        return named;
    }

    /**
     * Drops the innermost run of generated or unnamed frames and tracer functions, when it holds a
     * tracer function: the BPF program itself may be unnamed (loaded after the table was read), the
     * function that ran it never is. A stack with no tracer function (no kallsyms) stays whole.
     */
    private static List<NamedAddress> withoutTracerFrames(List<NamedAddress> stack) {
        int tracerFrames = 0;
        for (int i = 0; i < stack.size(); i++) {
            NamedAddress frame = stack.get(i);
            boolean tracerFunction = frame.symbol()
                    .filter(symbol -> TRACER_FUNCTION.matcher(symbol.function()).matches()).isPresent();
            if (tracerFunction) {
                tracerFrames = i + 1;
            } else if (!frame.generatedOrUnknown()) {
                break;
            }
        }
        return stack.subList(tracerFrames, stack.size());
    }

    /**
     * The table for the current module list, or a fresh read when {@code reread}. /proc/modules is a
     * few KB and cheap to compare; kallsyms is 5-10 MB of text, read only when that list differs from
     * the one it was read with or when a stack reaches generated code.
     */
    private synchronized Optional<Kallsyms> current(boolean reread) {
        try {
            String modules = readModules();
            Loaded last = loaded;
            if (reread || last == null || !last.modulesList().equals(modules)) {
                Kallsyms symbols = Kallsyms.parse(Files.readString(kallsymsPath), moduleEnds(modules));
                if (symbols.addressesHidden()) {
                    failures.kernelAddressesHidden(kallsymsPath);
                }
                loaded = last = new Loaded(modules, symbols);
            }
            return Optional.of(last.symbols());
        } catch (IOException e) {
            failures.unreadable(kallsymsPath, e);
            return Optional.empty();
        }
    }

    /** Name, size and load address of each module: the reference counts on the same lines change all the time. */
    private String readModules() throws IOException {
        String modules;
        try {
            modules = Files.readString(modulesPath);
        } catch (NoSuchFileException e) {
            return ""; // CONFIG_MODULES=n: no module symbols; only generated code changes.
        }
        StringBuilder identity = new StringBuilder(modules.length() / 4);
        for (String line : modules.split("\n")) {
            // "ext4 1064960 1 - Live 0xffffffffc0a00000", with taint flags like " (OE)" after a module's address.
            String[] fields = line.split(" ");
            if (fields.length >= 6) {
                identity.append(fields[0]).append(' ').append(fields[1]).append(' ').append(fields[5]).append('\n');
            }
        }
        return identity.toString();
    }

    /** Each module's end (load address + size), 0 where the address is hidden or unparsable. */
    private static Map<String, Long> moduleEnds(String modulesIdentity) {
        Map<String, Long> ends = new HashMap<>();
        for (String line : modulesIdentity.split("\n")) {
            String[] fields = line.split(" ");
            if (fields.length != 3) {
                continue;
            }
            try {
                long start = Long.parseUnsignedLong(fields[2].replaceFirst("^0x", ""), 16);
                long size = Long.parseLong(fields[1]);
                ends.put(fields[0], start == 0 ? 0 : start + size);
            } catch (NumberFormatException e) {
                ends.put(fields[0], 0L);
            }
        }
        return ends;
    }
}
