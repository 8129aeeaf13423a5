package io.nodescope.symbol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Test-only: the named sections of a little-endian ELF64 file, trusted input built by the tests
 * themselves. It stands in for the daemon's ELF reader (branch symbol) so the pclntab and DWARF
 * parsers can be tested against real binaries on their own.
 */
final class TestElfSections {
    record Section(long address, ByteBuffer bytes) {}

    private final ByteBuffer file;
    private final Map<String, Section> sections = new HashMap<>();

    private TestElfSections(ByteBuffer file) {
        this.file = file;
        long sectionHeaders = file.getLong(0x28);
        int entrySize = Short.toUnsignedInt(file.getShort(0x3a));
        int count = Short.toUnsignedInt(file.getShort(0x3c));
        int namesIndex = Short.toUnsignedInt(file.getShort(0x3e));
        long namesOffset = file.getLong((int) (sectionHeaders + (long) namesIndex * entrySize + 0x18));
        for (int i = 0; i < count; i++) {
            int header = (int) (sectionHeaders + (long) i * entrySize);
            String name = cString((int) (namesOffset + file.getInt(header)));
            long address = file.getLong(header + 0x10);
            int offset = (int) file.getLong(header + 0x18);
            int size = (int) file.getLong(header + 0x20);
            boolean noBits = file.getInt(header + 4) == 8;
            sections.put(name, new Section(address, noBits ? ByteBuffer.allocate(0) : file.slice(offset, size)));
        }
    }

    static TestElfSections read(Path elf) throws IOException {
        return new TestElfSections(ByteBuffer.wrap(Files.readAllBytes(elf)).order(ByteOrder.LITTLE_ENDIAN));
    }

    Optional<Section> find(String name) {
        return Optional.ofNullable(sections.get(name));
    }

    Section get(String name) {
        return find(name).orElseThrow(() -> new AssertionError("no section " + name));
    }

    /** The whole file, as a search for tables must see it when section headers are gone. */
    ByteBuffer wholeFile() {
        return file.duplicate();
    }

    private String cString(int offset) {
        int end = offset;
        while (file.get(end) != 0) {
            end++;
        }
        byte[] text = new byte[end - offset];
        file.get(offset, text);
        return new String(text, StandardCharsets.US_ASCII);
    }
}
