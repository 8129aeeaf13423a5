package io.nodescope.symbol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The function symbols of one or more ELF files describing the same code (the binary, its debug file,
 * its MiniDebugInfo) merged into one {@link SymbolTable}. Earlier files win where two name the same
 * address, so callers pass the fullest source first.
 */
final class ElfSymbols {
    private static final int SYMBOL_ENTRY_SIZE = 24;
    private static final int STT_FUNC = 2;
    private static final int STT_GNU_IFUNC = 10;
    private static final int SHN_UNDEF = 0;
    /** More than the largest real binaries (Chrome: ~1.5M); a cap so a forged count cannot exhaust the heap. */
    static final int MAX_SYMBOLS = 4 << 20;
    /** Mangled C++ names run to a few KB at worst; a longer run of non-NUL bytes is not a name. */
    private static final int MAX_NAME_BYTES = 8192;
    // A name key packs the string table's index (3 bits) above the name's offset in it (28 bits).
    private static final int OFFSET_BITS = 28;
    private static final int MAX_STRING_TABLES = 8;

    private ElfSymbols() {}

    /** The fuzzing entry point for symbol tables: one file's .symtab and .dynsym. */
    static SymbolTable parse(ByteBuffer elf) throws MalformedSymbolDataException {
        return of(List.of(ElfFile.parse(elf)));
    }

    static SymbolTable of(List<ElfFile> files) throws MalformedSymbolDataException {
        List<BoundedReader> stringTables = new ArrayList<>();
        SymbolTable.Builder builder = new SymbolTable.Builder(1024);
        for (int type : new int[] {ElfFile.SHT_SYMTAB, ElfFile.SHT_DYNSYM}) {
            for (ElfFile file : files) {
                for (ElfFile.Section section : file.sections()) {
                    if (section.type() == type && stringTables.size() < MAX_STRING_TABLES) {
                        addFunctions(file, section, stringTables, builder);
                    }
                }
            }
        }
        List<BoundedReader> tables = List.copyOf(stringTables);
        return builder.build(key -> tables.get(key >>> OFFSET_BITS)
                .textUntil((byte) 0, key & ((1 << OFFSET_BITS) - 1), MAX_NAME_BYTES));
    }

    private static void addFunctions(ElfFile file, ElfFile.Section symbols, List<BoundedReader> stringTables,
                                     SymbolTable.Builder builder) throws MalformedSymbolDataException {
        if (symbols.link() < 0 || symbols.link() >= file.sections().size()) {
            throw new MalformedSymbolDataException(symbols.name() + " links to missing string table " + symbols.link());
        }
        BoundedReader entries = file.contents(symbols);
        BoundedReader names = file.contents(file.sections().get(symbols.link()));
        int tableIndex = stringTables.size();
        stringTables.add(names);
        int count = entries.size() / SYMBOL_ENTRY_SIZE;
        for (int i = 1; i < count; i++) { // Entry 0 is the reserved null symbol.
            long at = (long) i * SYMBOL_ENTRY_SIZE;
            int kind = entries.u8(at + 4) & 0xf;
            int sectionIndex = entries.u16(at + 6);
            long value = entries.u64(at + 8);
            long nameOffset = entries.u32(at);
            if ((kind != STT_FUNC && kind != STT_GNU_IFUNC) || sectionIndex == SHN_UNDEF || value == 0
                    || nameOffset == 0 || nameOffset >= names.size() || nameOffset >= 1 << OFFSET_BITS) {
                continue;
            }
            if (builder.count() >= MAX_SYMBOLS) {
                throw new MalformedSymbolDataException("more than " + MAX_SYMBOLS + " function symbols");
            }
            builder.add(value, entries.u64(at + 16), tableIndex << OFFSET_BITS | (int) nameOffset);
        }
    }

    /**
     * The value of the .symtab symbol named exactly {@code name}, of any kind (data symbols included,
     * which the function table leaves out). A linear scan: for the odd symbol a parser needs once.
     */
    static Optional<Long> valueOf(ElfFile file, String name) throws MalformedSymbolDataException {
        for (ElfFile.Section symbols : file.sections()) {
            if (symbols.type() != ElfFile.SHT_SYMTAB || symbols.link() < 0 || symbols.link() >= file.sections().size()) {
                continue;
            }
            BoundedReader entries = file.contents(symbols);
            BoundedReader names = file.contents(file.sections().get(symbols.link()));
            for (long at = SYMBOL_ENTRY_SIZE; at + SYMBOL_ENTRY_SIZE <= entries.size(); at += SYMBOL_ENTRY_SIZE) {
                if (name.equals(names.textUntil((byte) 0, entries.u32(at), MAX_NAME_BYTES))) {
                    return Optional.of(entries.u64(at + 8));
                }
            }
        }
        return Optional.empty();
    }

    /** Whether the file has a .symtab (the full table, not only the exported .dynsym). */
    static boolean hasFullSymbolTable(ElfFile file) {
        return file.sections().stream().anyMatch(s -> s.type() == ElfFile.SHT_SYMTAB);
    }
}
