package io.nodescope.symbol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The kernel's text symbols from /proc/kallsyms ("ffffffff81000000 T _stext" or, for a module,
 * "ffffffffc0a01000 t ext4_fill_super\t[ext4]"). Without CAP_SYSLOG (or with kptr_restrict=2) every
 * address reads as zero; {@link #addressesHidden} tells that apart from an empty table.
 *
 * <p>kallsyms gives no sizes: a symbol reaches to the next one, but never past the end of its
 * section (the kernel image's _etext and _einittext) or of its module (from /proc/modules). Code
 * the kernel generates at run time (BPF programs and trampolines under "[bpf]", ftrace trampolines)
 * is listed too, but lives only as long as whatever loaded it: see {@link KernelSymbol#generated}.
 */
final class Kallsyms {
    /** The vmlinux symbols have no module; perf calls them this. */
    static final String KERNEL_MODULE = "[kernel.kallsyms]";
    /** A kernel with every module loaded has a few hundred thousand text symbols. */
    static final int MAX_SYMBOLS = 4 << 20;
    /**
     * Zero-width markers at the end of the image's text sections: never a function. The last one,
     * _einittext, otherwise named every BPF program loaded after the table was read.
     */
    private static final Set<String> SECTION_ENDS = Set.of("_etext", "_einittext");

    /**
     * @param generated code the kernel generated at run time (a "[bpf]" program or trampoline, an
     *                  ftrace trampoline): in a pseudo-module /proc/modules does not list, and possibly
     *                  loaded after this table was read
     */
    record KernelSymbol(String function, long offset, String module, boolean generated) {
        /** The same symbol for an address {@code bytes} further on (a return address named by its call). */
        KernelSymbol movedBy(long bytes) {
            return new KernelSymbol(function, offset + bytes, module, generated);
        }
    }

    private final SymbolTable table;
    /** Per symbol (the table's key), its index in moduleNames. */
    private final int[] moduleOfSymbol;
    private final List<String> moduleNames;
    private final Set<String> loadedModules;
    private final boolean addressesHidden;

    private Kallsyms(SymbolTable table, int[] moduleOfSymbol, List<String> moduleNames, Set<String> loadedModules,
                     boolean addressesHidden) {
        this.table = table;
        this.moduleOfSymbol = moduleOfSymbol;
        this.moduleNames = moduleNames;
        this.loadedModules = loadedModules;
        this.addressesHidden = addressesHidden;
    }

    static Kallsyms parse(String kallsyms) {
        return parse(kallsyms, Map.of());
    }

    /**
     * @param moduleEnds each loaded module's name and the address its memory ends at (/proc/modules),
     *                   0 where /proc/modules hides addresses
     */
    static Kallsyms parse(String kallsyms, Map<String, Long> moduleEnds) {
        // Names go into one string with offsets rather than one String each: a kernel has ~120k text
        // symbols, and as objects they were half the idle daemon's heap (12 MB of ~24 MB live).
        // The lines are walked with indexOf, not split: splitting the 5 MB text into lines and
        // each line by a regex allocated ~170 MB at every (re)read.
        StringBuilder packedNames = new StringBuilder(kallsyms.length() / 3);
        IntList nameEnds = new IntList();
        List<String> moduleNames = new ArrayList<>();
        Map<String, Integer> moduleIndex = new HashMap<>();
        IntList moduleOfSymbol = new IntList();
        SymbolTable.Builder builder = new SymbolTable.Builder(1 << 16);
        moduleEnds.values().stream().filter(end -> end != 0).forEach(builder::endAt);
        boolean sawAddress = false;
        boolean sawNonZero = false;
        int lineStart = 0;
        while (lineStart < kallsyms.length() && nameEnds.size() < MAX_SYMBOLS) {
            int lineEnd = kallsyms.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = kallsyms.length();
            }
            Line line = Line.of(kallsyms, lineStart, lineEnd);
            lineStart = lineEnd + 1;
            if (line == null) {
                continue;
            }
            sawAddress = true;
            if (line.address() == 0) {
                continue;
            }
            sawNonZero = true;
            String name = kallsyms.substring(line.nameStart(), line.nameEnd());
            if (line.module().equals(KERNEL_MODULE) && SECTION_ENDS.contains(name)) {
                builder.endAt(line.address());
                continue;
            }
            builder.add(line.address(), 0, nameEnds.size());
            packedNames.append(name);
            nameEnds.add(packedNames.length());
            moduleOfSymbol.add(moduleIndex.computeIfAbsent(line.module(), module -> {
                moduleNames.add(module);
                return moduleNames.size() - 1;
            }));
        }
        String names = packedNames.toString();
        int[] ends = nameEnds.toArray();
        return new Kallsyms(builder.build(key -> names.substring(key == 0 ? 0 : ends[key - 1], ends[key])),
                moduleOfSymbol.toArray(), List.copyOf(moduleNames), Set.copyOf(moduleEnds.keySet()),
                sawAddress && !sawNonZero);
    }

    /**
     * One text symbol's line: "ADDRESS TYPE NAME" or "ADDRESS TYPE NAME\t[MODULE]"; null for a
     * line that is not a text symbol or not of this form.
     */
    private record Line(long address, int nameStart, int nameEnd, String module) {
        static Line of(String text, int start, int end) {
            int afterAddress = text.indexOf(' ', start, end);
            if (afterAddress < 0 || afterAddress + 3 > end
                    || text.charAt(afterAddress + 2) != ' ' || !isText(text.charAt(afterAddress + 1))) {
                return null;
            }
            long address;
            try {
                address = Long.parseUnsignedLong(text, start, afterAddress, 16);
            } catch (NumberFormatException e) {
                return null;
            }
            int nameStart = afterAddress + 3;
            int tab = text.indexOf('\t', nameStart, end);
            int nameEnd = tab >= 0 ? tab : end;
            String module = KERNEL_MODULE;
            if (nameEnd < end) {
                String rest = text.substring(nameEnd + 1, end).trim();
                if (rest.startsWith("[") && rest.endsWith("]")) {
                    module = rest.substring(1, rest.length() - 1);
                }
            }
            return nameEnd > nameStart ? new Line(address, nameStart, nameEnd, module) : null;
        }
    }

    /** A growable int array: the per-symbol indexes without boxing 120k Integers. */
    private static final class IntList {
        private int[] values = new int[1 << 16];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }

    /** t/T text, w/W weak (often text); data, bss and absolute symbols cannot be a return address. */
    private static boolean isText(char type) {
        return "tTwW".indexOf(type) >= 0;
    }

    boolean addressesHidden() {
        return addressesHidden;
    }

    int size() {
        return table.size();
    }

    Optional<KernelSymbol> lookup(long address) {
        return table.lookup(address).map(hit -> {
            String module = moduleNames.get(moduleOfSymbol[hit.key()]);
            boolean generated = !module.equals(KERNEL_MODULE) && !loadedModules.contains(module);
            return new KernelSymbol(hit.name(), address - hit.start(), module, generated);
        });
    }
}
