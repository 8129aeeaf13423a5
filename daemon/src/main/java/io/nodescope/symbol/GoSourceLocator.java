package io.nodescope.symbol;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Functions, file:line and inlined calls of a Go binary from its .gopclntab, which the Go runtime
 * needs for its own tracebacks and so keeps through {@code -ldflags=-s -w} and strip.
 */
final class GoSourceLocator implements SourceLocator {
    /** The table's own section until Go 1.17 and in non-PIE binaries; PIE binaries put it in RELRO. */
    private static final List<String> PCLNTAB_SECTIONS = List.of(".gopclntab", ".data.rel.ro.gopclntab");
    /** The symbol the inline trees' offsets count from: go.func.* until Go 1.19, go:func.* since 1.20. */
    private static final List<String> GO_FUNC_SYMBOLS = List.of("go.func.*", "go:func.*");
    /** The table reads its bytes from the mapped file; the heap it keeps is its header. */
    private static final long RETAINED_BYTES = 256;

    private final GoPclnTable table;

    private GoSourceLocator(GoPclnTable table) {
        this.table = table;
    }

    /** Empty for binaries that are not Go, and for a Go table whose text start cannot be known. */
    static Optional<SourceLocator> of(ElfFile binary) throws MalformedSymbolDataException {
        Optional<BoundedReader> pclntab = pclntab(binary);
        if (pclntab.isEmpty()) {
            return Optional.empty();
        }
        GoPclnTable declared = GoPclnTable.parse(pclntab.get(), 0);
        Optional<Long> textStart = textStart(binary, declared);
        if (textStart.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new GoSourceLocator(GoPclnTable.parse(pclntab.get(), textStart.get(), goFuncData(binary))));
    }

    /** By section name, or, with the section headers gone (sstrip, some packers), by the table's header. */
    private static Optional<BoundedReader> pclntab(ElfFile binary) throws MalformedSymbolDataException {
        for (String name : PCLNTAB_SECTIONS) {
            Optional<BoundedReader> section = binary.section(name);
            if (section.isPresent()) {
                return section;
            }
        }
        if (!binary.sections().isEmpty()) {
            return Optional.empty();
        }
        OptionalInt found = GoPclnTable.findHeader(binary.bytes());
        return found.isPresent() ? Optional.of(binary.bytes().from(found.getAsInt())) : Optional.empty();
    }

    /**
     * moduledata.text in the file's addresses, which is what lookups come in (the load bias already
     * removed): the .text section's address, which is also right for PIE binaries whose header field
     * is 0 in the file (a dynamic relocation adds the load address at run time). Without section
     * headers only the header's value is left, so a PIE binary stripped of them gets no Go table.
     */
    private static Optional<Long> textStart(ElfFile binary, GoPclnTable declared) {
        Optional<ElfFile.Section> text = binary.sectionHeader(".text");
        if (text.isPresent()) {
            return Optional.of(text.get().address());
        }
        return declared.declaredTextStart() != 0 ? Optional.of(declared.declaredTextStart()) : Optional.empty();
    }

    /** The inline trees need go.func.*'s address, which only the symbol table (or moduledata) gives. */
    private static Optional<GoFuncData> goFuncData(ElfFile binary) throws MalformedSymbolDataException {
        for (String name : GO_FUNC_SYMBOLS) {
            Optional<Long> address = ElfSymbols.valueOf(binary, name);
            Optional<ElfFile.Section> holder = address.flatMap(binary::sectionAt);
            if (holder.isPresent()) {
                return Optional.of(new GoFuncData(binary.contents(holder.get()), holder.get().address(), address.get()));
            }
        }
        return Optional.empty();
    }

    @Override
    public List<SourceLocation> locate(long elfAddress) throws MalformedSymbolDataException {
        Optional<GoFunction> function = table.lookup(elfAddress);
        if (function.isEmpty()) {
            return List.of();
        }
        List<GoFrame> frames = function.get().frames();
        List<SourceLocation> locations = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            // Only the last frame is the physical function, the one whose entry the table holds.
            Optional<Long> entry = i == frames.size() - 1 ? Optional.of(function.get().entry()) : Optional.empty();
            locations.add(new SourceLocation(Optional.of(frames.get(i).function()), entry, frames.get(i).file(),
                    frames.get(i).line()));
        }
        return locations;
    }

    @Override
    public long retainedBytes() {
        return RETAINED_BYTES;
    }
}
