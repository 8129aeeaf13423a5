package io.nodescope.symbol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A 64-bit ELF file read from a buffer: its sections by name, its PT_LOAD segments, its build-id and
 * debug link. The buffer usually maps a file a container controls, so every offset and size read
 * from it is checked against the buffer before use and counts are capped; nothing here allocates
 * in proportion to a number read from the file without a cap.
 *
 * <p>Only ELFCLASS64 is accepted (the daemon runs on x86_64 and arm64 nodes); both byte orders are.
 */
final class ElfFile {
    static final int ET_EXEC = 2;
    static final int ET_DYN = 3;
    static final int SHT_SYMTAB = 2;
    static final int SHT_NOBITS = 8;
    static final int SHT_DYNSYM = 11;
    private static final int SHT_NOTE = 7;
    private static final int PT_LOAD = 1;
    private static final int PF_X = 1;
    private static final long SHF_COMPRESSED = 0x800;
    private static final int NT_GNU_BUILD_ID = 3;
    private static final int ELFCOMPRESS_ZLIB = 1;

    // Real binaries have tens of sections and a handful of program headers; libjvm.so has 35.
    private static final int MAX_SECTIONS = 4096;
    private static final int MAX_PROGRAM_HEADERS = 512;
    /** Section names are short (".debug_line_str"); a longer run is damage, cut rather than copied. */
    private static final int MAX_SECTION_NAME_BYTES = 256;
    /** An inflated SHF_COMPRESSED section bigger than this is refused rather than allocated. */
    static final int MAX_INFLATED_SECTION_BYTES = 256 << 20;

    record Section(String name, int type, long flags, long address, long offset, long size, int link, long entrySize) {}

    /** A PT_LOAD program header: file bytes [offset, offset+fileSize) appear at [vaddr, vaddr+fileSize). */
    record LoadSegment(long offset, long virtualAddress, long fileSize, long memorySize, boolean executable) {
        boolean containsFileOffset(long fileOffset) {
            return fileOffset >= offset && fileOffset - offset < fileSize;
        }
    }

    private final BoundedReader file;
    private final int type;
    private final List<Section> sections;
    private final List<LoadSegment> loadSegments;

    private ElfFile(BoundedReader file, int type, List<Section> sections, List<LoadSegment> loadSegments) {
        this.file = file;
        this.type = type;
        this.sections = sections;
        this.loadSegments = loadSegments;
    }

    /** The fuzzing entry point: any input either parses or throws {@link MalformedSymbolDataException}. */
    static ElfFile parse(ByteBuffer input) throws MalformedSymbolDataException {
        // "\x7fELF" and the class and byte order bytes are single bytes: readable before the order is known.
        BoundedReader identification = new BoundedReader(input, ByteOrder.BIG_ENDIAN, "ELF file");
        if (identification.size() < 64 || identification.u32(0) != 0x7f454c46L) {
            throw new MalformedSymbolDataException("not an ELF file");
        }
        if (identification.u8(4) != 2) {
            throw identification.malformed("not 64-bit (EI_CLASS " + identification.u8(4) + ")");
        }
        BoundedReader file = new BoundedReader(input, switch (identification.u8(5)) {
            case 1 -> ByteOrder.LITTLE_ENDIAN;
            case 2 -> ByteOrder.BIG_ENDIAN;
            default -> throw identification.malformed("unknown byte order " + identification.u8(5));
        }, "ELF file");
        int type = file.u16(16);
        List<LoadSegment> segments = readLoadSegments(file);
        List<Section> sections = readSections(file);
        return new ElfFile(file, type, List.copyOf(sections), List.copyOf(segments));
    }

    private static List<LoadSegment> readLoadSegments(BoundedReader file) throws MalformedSymbolDataException {
        long tableOffset = file.u64(32);
        int entrySize = file.u16(54);
        int count = file.u16(56);
        if (count == 0) {
            return List.of();
        }
        if (count > MAX_PROGRAM_HEADERS || entrySize < 56) {
            throw file.malformed("implausible program header table: " + count + " x " + entrySize);
        }
        BoundedReader table = file.range(tableOffset, (long) count * entrySize, "program header table");
        List<LoadSegment> segments = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long at = (long) i * entrySize;
            if (table.u32(at) != PT_LOAD) {
                continue;
            }
            segments.add(new LoadSegment(table.u64(at + 8), table.u64(at + 16), table.u64(at + 32),
                    table.u64(at + 40), (table.u32(at + 4) & PF_X) != 0));
        }
        return segments;
    }

    private static List<Section> readSections(BoundedReader file) throws MalformedSymbolDataException {
        long tableOffset = file.u64(40);
        int entrySize = file.u16(58);
        int count = file.u16(60);
        int namesIndex = file.u16(62);
        if (tableOffset == 0 || count == 0) {
            return List.of(); // Stripped of section headers (sstrip): symbols are unavailable, segments still map.
        }
        if (count > MAX_SECTIONS || entrySize < 64) {
            throw file.malformed("implausible section header table: " + count + " x " + entrySize);
        }
        BoundedReader table = file.range(tableOffset, (long) count * entrySize, "section header table");
        Optional<BoundedReader> names = Optional.empty();
        if (namesIndex < count) {
            Section namesHeader = readSection(table, entrySize, namesIndex, "");
            if (namesHeader.type() != SHT_NOBITS) {
                names = Optional.of(file.range(namesHeader.offset(), namesHeader.size(), "section name table"));
            }
        }
        List<Section> sections = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long nameOffset = table.u32((long) i * entrySize);
            // A damaged name costs that section its name, not the file its symbols.
            String name = names.map(n -> n.textUntil((byte) 0, nameOffset, MAX_SECTION_NAME_BYTES)).orElse("");
            sections.add(readSection(table, entrySize, i, name));
        }
        return sections;
    }

    private static Section readSection(BoundedReader table, int entrySize, int index, String name)
            throws MalformedSymbolDataException {
        long at = (long) index * entrySize;
        return new Section(name, (int) table.u32(at + 4), table.u64(at + 8), table.u64(at + 16),
                table.u64(at + 24), table.u64(at + 32), (int) table.u32(at + 40), table.u64(at + 56));
    }

    long sizeInBytes() {
        return file.size();
    }

    int type() {
        return type;
    }

    /** The whole file, for tables found by searching it when section headers are gone. */
    BoundedReader bytes() {
        return file;
    }

    List<Section> sections() {
        return sections;
    }

    List<LoadSegment> loadSegments() {
        return loadSegments;
    }

    Optional<Section> sectionHeader(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The allocated section whose addresses hold {@code address}. */
    Optional<Section> sectionAt(long address) {
        return sections.stream()
                .filter(s -> s.address() != 0 && address - s.address() >= 0 && address - s.address() < s.size())
                .findFirst();
    }

    /**
     * A section's contents by name, in the file's byte order, SHF_COMPRESSED (zlib) sections inflated.
     * Empty when the section is absent; no bytes when it has none in this file (SHT_NOBITS, as in debug
     * files for sections that stayed in the binary).
     */
    Optional<BoundedReader> section(String name) throws MalformedSymbolDataException {
        Optional<Section> header = sectionHeader(name);
        return header.isPresent() ? Optional.of(contents(header.get())) : Optional.empty();
    }

    BoundedReader contents(Section section) throws MalformedSymbolDataException {
        if (section.type() == SHT_NOBITS) {
            return file.range(0, 0, section.name());
        }
        BoundedReader raw = file.range(section.offset(), section.size(), "section " + section.name());
        return (section.flags() & SHF_COMPRESSED) != 0 ? inflate(raw) : raw;
    }

    /** Debian's debug files compress .debug_* sections (Elf64_Chdr header + zlib stream). */
    private static BoundedReader inflate(BoundedReader compressed) throws MalformedSymbolDataException {
        if (compressed.size() < 24 || compressed.u32(0) != ELFCOMPRESS_ZLIB) {
            throw compressed.malformed("unsupported compression");
        }
        long size = compressed.u64(8);
        if (size < 0 || size > MAX_INFLATED_SECTION_BYTES) {
            throw compressed.malformed("inflated size " + size + " over the cap");
        }
        byte[] out = new byte[(int) size];
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed.from(24).buffer());
            int produced = 0;
            while (produced < out.length && !inflater.finished()) {
                int n = inflater.inflate(out, produced, out.length - produced);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw compressed.malformed("zlib stream ends early");
                }
                produced += n;
            }
            return new BoundedReader(ByteBuffer.wrap(out), compressed.order(), compressed.what());
        } catch (DataFormatException e) {
            throw compressed.malformed(e.getMessage());
        } finally {
            inflater.end();
        }
    }

    /** .eh_frame, for the CFI unwinder of a later issue. */
    Optional<BoundedReader> ehFrame() throws MalformedSymbolDataException {
        return section(".eh_frame");
    }

    /** .eh_frame_hdr: the binary-search table over .eh_frame's FDEs. */
    Optional<BoundedReader> ehFrameHeader() throws MalformedSymbolDataException {
        return section(".eh_frame_hdr");
    }

    /** The executable PT_LOAD segment (the text segment); the first one if a linker made several. */
    Optional<LoadSegment> textSegment() {
        return loadSegments.stream().filter(LoadSegment::executable).findFirst();
    }

    /** The address the file's code expects for a file offset, through the PT_LOAD segment holding it. */
    Optional<Long> virtualAddressOf(long fileOffset) {
        for (LoadSegment segment : loadSegments) {
            if (segment.containsFileOffset(fileOffset)) {
                return Optional.of(fileOffset - segment.offset() + segment.virtualAddress());
            }
        }
        return Optional.empty();
    }

    /** NT_GNU_BUILD_ID from any SHT_NOTE section, as lowercase hex. */
    Optional<String> buildId() throws MalformedSymbolDataException {
        for (Section section : sections) {
            if (section.type() != SHT_NOTE) {
                continue;
            }
            Optional<String> id = buildIdIn(contents(section));
            if (id.isPresent()) {
                return id;
            }
        }
        return Optional.empty();
    }

    /** Walks the notes of one SHT_NOTE section; a damaged note ends the walk, not the file. */
    private static Optional<String> buildIdIn(BoundedReader notes) throws MalformedSymbolDataException {
        long at = 0;
        while (notes.size() - at >= 12) {
            long nameSize = notes.u32(at);
            long descSize = notes.u32(at + 4);
            long type = notes.u32(at + 8);
            long nameEnd = at + 12 + align4(nameSize);
            long descEnd = nameEnd + align4(descSize);
            if (descEnd > notes.size() || nameEnd + descSize > notes.size()) {
                return Optional.empty();
            }
            if (type == NT_GNU_BUILD_ID && nameSize == 4 && notes.u32(at + 12) == gnuName(notes.order())
                    && descSize > 0 && descSize <= 64) {
                StringBuilder id = new StringBuilder((int) descSize * 2);
                for (long i = 0; i < descSize; i++) {
                    id.append(HexFormat.of().toHexDigits((byte) notes.u8(nameEnd + i)));
                }
                return Optional.of(id.toString());
            }
            at = descEnd;
        }
        return Optional.empty();
    }

    private static long gnuName(ByteOrder order) {
        // "GNU\0" read as a 32-bit value in the file's byte order.
        return order == ByteOrder.LITTLE_ENDIAN ? 0x00554e47L : 0x474e5500L;
    }

    private static long align4(long size) {
        return (size + 3) & ~3L;
    }

    /** .gnu_debuglink: the debug file's name and the CRC32 of its whole contents. */
    record DebugLink(String fileName, int crc32) {}

    Optional<DebugLink> debugLink() throws MalformedSymbolDataException {
        Optional<BoundedReader> section = section(".gnu_debuglink");
        if (section.isEmpty()) {
            return Optional.empty();
        }
        BoundedReader link = section.get();
        long end = link.indexOf((byte) 0, 0);
        long crcAt = (end + 4) & ~3L; // The name's NUL, then padding to 4, then the CRC.
        if (end <= 0 || crcAt + 4 > link.size()) {
            return Optional.empty();
        }
        String fileName = link.cString(0);
        if (fileName.contains("/")) {
            return Optional.empty(); // A link is a bare file name; a path would escape the debug directories.
        }
        return Optional.of(new DebugLink(fileName, link.s32(crcAt)));
    }
}
