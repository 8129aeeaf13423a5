package io.nodescope.symbol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
    /** An inflated SHF_COMPRESSED section bigger than this is refused rather than allocated. */
    static final int MAX_INFLATED_SECTION_BYTES = 256 << 20;

    record Section(String name, int type, long flags, long address, long offset, long size, int link, long entrySize) {}

    /** A PT_LOAD program header: file bytes [offset, offset+fileSize) appear at [vaddr, vaddr+fileSize). */
    record LoadSegment(long offset, long virtualAddress, long fileSize, long memorySize, boolean executable) {
        boolean containsFileOffset(long fileOffset) {
            return fileOffset >= offset && fileOffset - offset < fileSize;
        }
    }

    private final ByteBuffer bytes;
    private final int type;
    private final List<Section> sections;
    private final List<LoadSegment> loadSegments;

    private ElfFile(ByteBuffer bytes, int type, List<Section> sections, List<LoadSegment> loadSegments) {
        this.bytes = bytes;
        this.type = type;
        this.sections = sections;
        this.loadSegments = loadSegments;
    }

    /** The fuzzing entry point: any input either parses or throws {@link MalformedElfException}. */
    static ElfFile parse(ByteBuffer input) throws MalformedElfException {
        ByteBuffer bytes = input.slice();
        try {
            // "\x7fELF", read before the byte order is known: a ByteBuffer starts big-endian.
            if (bytes.remaining() < 64 || bytes.getInt(0) != 0x7f454c46) {
                throw new MalformedElfException("not an ELF file");
            }
            if (bytes.get(4) != 2) {
                throw new MalformedElfException("not a 64-bit ELF file (EI_CLASS " + bytes.get(4) + ")");
            }
            bytes.order(switch (bytes.get(5)) {
                case 1 -> ByteOrder.LITTLE_ENDIAN;
                case 2 -> ByteOrder.BIG_ENDIAN;
                default -> throw new MalformedElfException("unknown byte order " + bytes.get(5));
            });
            int type = Short.toUnsignedInt(bytes.getShort(16));
            List<LoadSegment> segments = readLoadSegments(bytes);
            List<Section> sections = readSections(bytes);
            return new ElfFile(bytes, type, List.copyOf(sections), List.copyOf(segments));
        } catch (IndexOutOfBoundsException | BufferUnderflowException e) {
            throw new MalformedElfException("truncated: " + e.getMessage());
        }
    }

    private static List<LoadSegment> readLoadSegments(ByteBuffer bytes) throws MalformedElfException {
        long tableOffset = bytes.getLong(32);
        int entrySize = Short.toUnsignedInt(bytes.getShort(54));
        int count = Short.toUnsignedInt(bytes.getShort(56));
        if (count == 0) {
            return List.of();
        }
        if (count > MAX_PROGRAM_HEADERS || entrySize < 56) {
            throw new MalformedElfException("implausible program header table: " + count + " x " + entrySize);
        }
        requireRange(bytes, tableOffset, (long) count * entrySize, "program header table");
        List<LoadSegment> segments = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = (int) (tableOffset + (long) i * entrySize);
            if (bytes.getInt(at) != PT_LOAD) {
                continue;
            }
            segments.add(new LoadSegment(bytes.getLong(at + 8), bytes.getLong(at + 16),
                    bytes.getLong(at + 32), bytes.getLong(at + 40), (bytes.getInt(at + 4) & PF_X) != 0));
        }
        return segments;
    }

    private static List<Section> readSections(ByteBuffer bytes) throws MalformedElfException {
        long tableOffset = bytes.getLong(40);
        int entrySize = Short.toUnsignedInt(bytes.getShort(58));
        int count = Short.toUnsignedInt(bytes.getShort(60));
        int namesIndex = Short.toUnsignedInt(bytes.getShort(62));
        if (tableOffset == 0 || count == 0) {
            return List.of(); // Stripped of section headers (sstrip): symbols are unavailable, segments still map.
        }
        if (count > MAX_SECTIONS || entrySize < 64) {
            throw new MalformedElfException("implausible section header table: " + count + " x " + entrySize);
        }
        requireRange(bytes, tableOffset, (long) count * entrySize, "section header table");
        Section namesHeader = namesIndex < count ? readSection(bytes, tableOffset, entrySize, namesIndex, "") : null;
        List<Section> sections = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int nameOffset = bytes.getInt((int) (tableOffset + (long) i * entrySize));
            String name = namesHeader == null ? "" : stringAt(bytes, namesHeader, Integer.toUnsignedLong(nameOffset));
            sections.add(readSection(bytes, tableOffset, entrySize, i, name));
        }
        return sections;
    }

    private static Section readSection(ByteBuffer bytes, long tableOffset, int entrySize, int index, String name) {
        int at = (int) (tableOffset + (long) index * entrySize);
        return new Section(name, bytes.getInt(at + 4), bytes.getLong(at + 8), bytes.getLong(at + 16),
                bytes.getLong(at + 24), bytes.getLong(at + 32), bytes.getInt(at + 40), bytes.getLong(at + 56));
    }

    /** A NUL-terminated string inside a string-table section; empty when the offset is outside it. */
    private static String stringAt(ByteBuffer bytes, Section table, long offset) throws MalformedElfException {
        if (table.type() == SHT_NOBITS || offset >= table.size()) {
            return "";
        }
        requireRange(bytes, table.offset(), table.size(), "string table");
        int start = (int) (table.offset() + offset);
        int end = start;
        int limit = (int) (table.offset() + table.size());
        while (end < limit && bytes.get(end) != 0) {
            end++;
        }
        byte[] name = new byte[end - start];
        bytes.get(start, name);
        return new String(name, StandardCharsets.UTF_8);
    }

    static void requireRange(ByteBuffer bytes, long offset, long length, String what) throws MalformedElfException {
        if (offset < 0 || length < 0 || offset > bytes.capacity() || length > bytes.capacity() - offset) {
            throw new MalformedElfException(what + " [" + offset + ", +" + length + ") outside the file of "
                    + bytes.capacity() + " bytes");
        }
    }

    long sizeInBytes() {
        return bytes.capacity();
    }

    int type() {
        return type;
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

    /**
     * A section's contents by name, in the file's byte order, SHF_COMPRESSED (zlib) sections inflated.
     * Empty when the section is absent or has no bytes in this file (SHT_NOBITS, as in debug files
     * for sections that stayed in the binary).
     */
    Optional<ByteBuffer> section(String name) throws MalformedElfException {
        Optional<Section> header = sectionHeader(name);
        return header.isPresent() ? Optional.of(contents(header.get())) : Optional.empty();
    }

    ByteBuffer contents(Section section) throws MalformedElfException {
        if (section.type() == SHT_NOBITS) {
            return ByteBuffer.allocate(0).order(bytes.order());
        }
        requireRange(bytes, section.offset(), section.size(), "section " + section.name());
        ByteBuffer raw = bytes.slice((int) section.offset(), (int) section.size()).order(bytes.order());
        return (section.flags() & SHF_COMPRESSED) != 0 ? inflate(raw, section.name()) : raw;
    }

    /** Debian's debug files compress .debug_* sections (Elf64_Chdr header + zlib stream). */
    private ByteBuffer inflate(ByteBuffer compressed, String name) throws MalformedElfException {
        if (compressed.remaining() < 24 || compressed.getInt(0) != ELFCOMPRESS_ZLIB) {
            throw new MalformedElfException("section " + name + ": unsupported compression");
        }
        long size = compressed.getLong(8);
        if (size < 0 || size > MAX_INFLATED_SECTION_BYTES) {
            throw new MalformedElfException("section " + name + ": inflated size " + size + " over the cap");
        }
        byte[] out = new byte[(int) size];
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed.slice(24, compressed.remaining() - 24));
            int produced = 0;
            while (produced < out.length && !inflater.finished()) {
                int n = inflater.inflate(out, produced, out.length - produced);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new MalformedElfException("section " + name + ": zlib stream ends early");
                }
                produced += n;
            }
            return ByteBuffer.wrap(out).order(bytes.order());
        } catch (DataFormatException e) {
            throw new MalformedElfException("section " + name + ": " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    /** .eh_frame, for the CFI unwinder of a later issue. */
    Optional<ByteBuffer> ehFrame() throws MalformedElfException {
        return section(".eh_frame");
    }

    /** .eh_frame_hdr: the binary-search table over .eh_frame's FDEs. */
    Optional<ByteBuffer> ehFrameHeader() throws MalformedElfException {
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
    Optional<String> buildId() throws MalformedElfException {
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

    private static Optional<String> buildIdIn(ByteBuffer notes) {
        int at = 0;
        while (notes.limit() - at >= 12) {
            long nameSize = Integer.toUnsignedLong(notes.getInt(at));
            long descSize = Integer.toUnsignedLong(notes.getInt(at + 4));
            int type = notes.getInt(at + 8);
            long nameEnd = at + 12L + align4(nameSize);
            long descEnd = nameEnd + align4(descSize);
            if (descEnd > notes.limit() || nameEnd + descSize > notes.limit()) {
                return Optional.empty();
            }
            if (type == NT_GNU_BUILD_ID && nameSize == 4 && notes.getInt(at + 12) == gnuName(notes.order())
                    && descSize > 0 && descSize <= 64) {
                byte[] id = new byte[(int) descSize];
                notes.get((int) nameEnd, id);
                return Optional.of(HexFormat.of().formatHex(id));
            }
            at = (int) descEnd;
        }
        return Optional.empty();
    }

    private static int gnuName(ByteOrder order) {
        // "GNU\0" read as an int in the file's byte order.
        return order == ByteOrder.LITTLE_ENDIAN ? 0x00554e47 : 0x474e5500;
    }

    private static long align4(long size) {
        return (size + 3) & ~3L;
    }

    /** .gnu_debuglink: the debug file's name and the CRC32 of its whole contents. */
    record DebugLink(String fileName, int crc32) {}

    Optional<DebugLink> debugLink() throws MalformedElfException {
        Optional<ByteBuffer> section = section(".gnu_debuglink");
        if (section.isEmpty()) {
            return Optional.empty();
        }
        ByteBuffer link = section.get();
        int end = 0;
        while (end < link.limit() && link.get(end) != 0) {
            end++;
        }
        int crcAt = (end + 4) & ~3; // The name's NUL, then padding to 4, then the CRC.
        if (end == 0 || crcAt + 4 > link.limit()) {
            return Optional.empty();
        }
        byte[] name = new byte[end];
        link.get(0, name);
        String fileName = new String(name, StandardCharsets.UTF_8);
        if (fileName.contains("/")) {
            return Optional.empty(); // A link is a bare file name; a path would escape the debug directories.
        }
        return Optional.of(new DebugLink(fileName, link.getInt(crcAt)));
    }
}
