package io.nodescope.symbol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Kernel frames through /proc/kallsyms, reloaded when /proc/modules changes: a module loaded after
 * start (a CSI driver, a netfilter module) would otherwise leave its frames unnamed, and an unloaded
 * one could lend its stale names to the next module placed at the same addresses.
 */
final class KernelSymbolizer {
    private record Loaded(String modulesList, Kallsyms symbols) {}

    private final Path kallsymsPath;
    private final Path modulesPath;
    private final SymbolFailures failures;
    private Loaded loaded;

    KernelSymbolizer(Path procRoot, SymbolFailures failures) {
        this.kallsymsPath = procRoot.resolve("kallsyms");
        this.modulesPath = procRoot.resolve("modules");
        this.failures = failures;
    }

    List<Frame> symbolize(List<Long> addresses) {
        Optional<Kallsyms> symbols = current();
        List<Frame> frames = new ArrayList<>(addresses.size());
        for (long address : addresses) {
            Optional<Kallsyms.KernelSymbol> symbol = symbols.flatMap(s -> s.lookup(address));
            if (symbol.isPresent()) {
                failures.resolvedFrames.increment();
                Kallsyms.KernelSymbol found = symbol.get();
                frames.add(new Frame(address, Optional.of(found.function()), found.offset(),
                        Optional.of(found.module()), address, Optional.empty(), 0));
            } else {
                failures.unresolvedFrames.increment();
                frames.add(Frame.unresolved(address, Optional.of(Kallsyms.KERNEL_MODULE), address));
            }
        }
        return frames;
    }

    /**
     * The table for the current module list. /proc/modules is a few KB and cheap to compare; kallsyms
     * is 10+ MB of text and read only when that list differs from the one it was read with.
     */
    private synchronized Optional<Kallsyms> current() {
        try {
            String modules = readModules();
            Loaded last = loaded;
            if (last == null || !last.modulesList().equals(modules)) {
                Kallsyms symbols = Kallsyms.parse(Files.readString(kallsymsPath));
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

    /** Name and load address of each module: the reference counts on the same lines change all the time. */
    private String readModules() throws IOException {
        String modules;
        try {
            modules = Files.readString(modulesPath);
        } catch (NoSuchFileException e) {
            return ""; // CONFIG_MODULES=n: the kernel's symbols never change.
        }
        StringBuilder identity = new StringBuilder(modules.length() / 4);
        for (String line : modules.split("\n")) {
            String[] fields = line.split(" ");
            identity.append(fields[0]).append(' ').append(fields[fields.length - 1]).append('\n');
        }
        return identity.toString();
    }
}
