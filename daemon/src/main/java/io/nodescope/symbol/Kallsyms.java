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
    private final List<String> modules;
    private final Set<String> loadedModules;
    private final boolean addressesHidden;

    private Kallsyms(SymbolTable table, List<String> modules, Set<String> loadedModules, boolean addressesHidden) {
        this.table = table;
        this.modules = modules;
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
        List<String> names = new ArrayList<>();
        List<String> moduleOfSymbol = new ArrayList<>();
        Map<String, String> internedModules = new HashMap<>();
        SymbolTable.Builder builder = new SymbolTable.Builder(1 << 16);
        moduleEnds.values().stream().filter(end -> end != 0).forEach(builder::endAt);
        boolean sawAddress = false;
        boolean sawNonZero = false;
        for (String line : kallsyms.split("\n")) {
            if (names.size() >= MAX_SYMBOLS) {
                break;
            }
            String[] fields = line.split("[ \t]+", 4);
            if (fields.length < 3 || !isText(fields[1])) {
                continue;
            }
            long address;
            try {
                address = Long.parseUnsignedLong(fields[0], 16);
            } catch (NumberFormatException e) {
                continue;
            }
            sawAddress = true;
            if (address == 0) {
                continue;
            }
            sawNonZero = true;
            String module = fields.length == 4 && fields[3].startsWith("[") && fields[3].endsWith("]")
                    ? fields[3].substring(1, fields[3].length() - 1) : KERNEL_MODULE;
            if (module.equals(KERNEL_MODULE) && SECTION_ENDS.contains(fields[2])) {
                builder.endAt(address);
                continue;
            }
            builder.add(address, 0, names.size());
            names.add(fields[2]);
            moduleOfSymbol.add(internedModules.computeIfAbsent(module, m -> m));
        }
        List<String> frozenNames = List.copyOf(names);
        return new Kallsyms(builder.build(frozenNames::get), List.copyOf(moduleOfSymbol),
                Set.copyOf(moduleEnds.keySet()), sawAddress && !sawNonZero);
    }

    /** t/T text, w/W weak (often text); data, bss and absolute symbols cannot be a return address. */
    private static boolean isText(String type) {
        return type.length() == 1 && "tTwW".indexOf(type.charAt(0)) >= 0;
    }

    boolean addressesHidden() {
        return addressesHidden;
    }

    int size() {
        return table.size();
    }

    Optional<KernelSymbol> lookup(long address) {
        return table.lookup(address).map(hit -> {
            String module = modules.get(hit.key());
            boolean generated = !module.equals(KERNEL_MODULE) && !loadedModules.contains(module);
            return new KernelSymbol(hit.name(), address - hit.start(), module, generated);
        });
    }
}
