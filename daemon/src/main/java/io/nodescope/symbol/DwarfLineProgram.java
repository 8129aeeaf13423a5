package io.nodescope.symbol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One unit of .debug_line: its header (file and directory tables, v2-4 and v5 forms) and its line
 * number program, run as the DWARF 5 specification's state machine (section 6.2). Rows come out
 * grouped in sequences, each a run of non-decreasing addresses closed by DW_LNE_end_sequence.
 * VLIW op_index is not modelled: every architecture nodescope runs on has max_ops_per_insn 1.
 */
final class DwarfLineProgram {
    /** The file index of the row that closes a sequence: no code from there on. */
    static final int END_OF_SEQUENCE = -1;

    private static final int DW_LNS_COPY = 1;
    private static final int DW_LNS_ADVANCE_PC = 2;
    private static final int DW_LNS_ADVANCE_LINE = 3;
    private static final int DW_LNS_SET_FILE = 4;
    private static final int DW_LNS_CONST_ADD_PC = 8;
    private static final int DW_LNS_FIXED_ADVANCE_PC = 9;
    private static final int DW_LNE_END_SEQUENCE = 1;
    private static final int DW_LNE_SET_ADDRESS = 2;
    private static final int DW_LNE_DEFINE_FILE = 3;

    private static final int DW_LNCT_PATH = 1;
    private static final int DW_LNCT_DIRECTORY_INDEX = 2;

    private static final int DW_FORM_BLOCK = 0x09;
    private static final int DW_FORM_DATA1 = 0x0b;
    private static final int DW_FORM_DATA2 = 0x05;
    private static final int DW_FORM_DATA4 = 0x06;
    private static final int DW_FORM_DATA8 = 0x07;
    private static final int DW_FORM_DATA16 = 0x1e;
    private static final int DW_FORM_STRING = 0x08;
    private static final int DW_FORM_STRP = 0x0e;
    private static final int DW_FORM_UDATA = 0x0f;
    private static final int DW_FORM_LINE_STRP = 0x1f;

    /** Rows between two end_sequence rows, in program order. */
    static final class Sequence {
        private long[] addresses = new long[16];
        private int[] fileIndexes = new int[16];
        private int[] lines = new int[16];
        private int size;

        long start() {
            return addresses[0];
        }

        long end() {
            return addresses[size - 1];
        }

        int size() {
            return size;
        }

        int copyInto(long[] allAddresses, int[] allFileIndexes, int[] allLines, int at) {
            System.arraycopy(addresses, 0, allAddresses, at, size);
            System.arraycopy(fileIndexes, 0, allFileIndexes, at, size);
            System.arraycopy(lines, 0, allLines, at, size);
            return at + size;
        }

        private void add(long address, int fileIndex, int line) {
            if (size == addresses.length) {
                addresses = Arrays.copyOf(addresses, size * 2);
                fileIndexes = Arrays.copyOf(fileIndexes, size * 2);
                lines = Arrays.copyOf(lines, size * 2);
            }
            addresses[size] = address;
            fileIndexes[size] = fileIndex;
            lines[size] = line;
            size++;
        }

        private boolean isEmpty() {
            return size == 0;
        }
    }

    private final BoundedReader unit;
    private final DwarfStrings strings;
    private final PathTable paths;
    /** This unit's file numbers mapped to indexes into {@code paths}. */
    private final List<Integer> unitFiles = new ArrayList<>();
    private final List<String> directories = new ArrayList<>();
    private int version;
    private int offsetSize;
    private int minimumInstructionLength;
    private int lineBase;
    private int lineRange;
    private int opcodeBase;
    private int[] standardOpcodeLengths;

    private DwarfLineProgram(BoundedReader unit, DwarfStrings strings, PathTable paths) {
        this.unit = unit;
        this.strings = strings;
        this.paths = paths;
    }

    /**
     * Runs the unit at {@code offset}, adding its file paths to {@code paths} (shared by all
     * units) and its closed sequences to {@code sequences}; returns the next unit's offset.
     */
    static long run(BoundedReader section, long offset, DwarfStrings strings, PathTable paths,
            List<Sequence> sequences) throws MalformedSymbolDataException {
        long length = section.u32(offset);
        int offsetSize = 4;
        long lengthFieldSize = 4;
        if (length == 0xffff_ffffL) {
            // 64-bit DWARF: the real length follows, and section offsets are 8 bytes wide.
            length = section.u64(offset + 4);
            offsetSize = 8;
            lengthFieldSize = 12;
        } else if (length >= 0xffff_fff0L) {
            throw section.malformed("reserved unit length 0x" + Long.toHexString(length) + " at offset " + offset);
        }
        long unitStart = offset + lengthFieldSize;
        BoundedReader unit = section.range(unitStart, length);
        DwarfLineProgram program = new DwarfLineProgram(unit, strings, paths);
        program.offsetSize = offsetSize;
        long programStart = program.readHeader();
        program.execute(new Cursor(unit, programStart), sequences);
        return unitStart + length;
    }

    private long readHeader() throws MalformedSymbolDataException {
        Cursor cursor = new Cursor(unit, 0);
        version = cursor.u16();
        if (version < 2 || version > 5) {
            throw unit.malformed("unsupported version " + version);
        }
        if (version >= 5) {
            cursor.u8(); // address_size: DW_LNE_set_address carries its own operand length
            cursor.u8(); // segment_selector_size
        }
        long headerLength = cursor.unsigned(offsetSize);
        long programStart = cursor.position() + headerLength;
        if (headerLength < 0 || programStart > unit.size()) {
            throw unit.malformed("header length " + headerLength + " past the unit's end");
        }
        minimumInstructionLength = cursor.u8();
        if (version >= 4) {
            cursor.u8(); // maximum_operations_per_instruction: 1 outside VLIW
        }
        cursor.u8(); // default_is_stmt: every row counts for symbolization
        lineBase = cursor.s8();
        lineRange = cursor.u8();
        opcodeBase = cursor.u8();
        if (lineRange == 0 || opcodeBase == 0) {
            throw unit.malformed("line_range " + lineRange + ", opcode_base " + opcodeBase);
        }
        standardOpcodeLengths = new int[opcodeBase];
        for (int opcode = 1; opcode < opcodeBase; opcode++) {
            standardOpcodeLengths[opcode] = cursor.u8();
        }
        if (version >= 5) {
            readVersion5Entries(cursor);
        } else {
            readVersion2Entries(cursor);
        }
        if (cursor.position() > programStart) {
            throw unit.malformed("file table runs into the line program");
        }
        return programStart;
    }

    /** v2-4: NUL-terminated lists; directory 0 (the compilation directory) is implicit. */
    private void readVersion2Entries(Cursor cursor) throws MalformedSymbolDataException {
        for (String directory = cursor.cString(); !directory.isEmpty(); directory = cursor.cString()) {
            directories.add(directory);
        }
        for (String name = cursor.cString(); !name.isEmpty(); name = cursor.cString()) {
            addVersion2File(cursor, name);
        }
    }

    /** A v2-4 file entry after its name, as in the header and DW_LNE_define_file. */
    private void addVersion2File(Cursor cursor, String name) throws MalformedSymbolDataException {
        long directory = cursor.uleb128();
        cursor.uleb128(); // modification time
        cursor.uleb128(); // length
        if (directory == 0 || isAbsolute(name)) {
            addFile(name);
        } else if (directory > 0 && directory <= directories.size()) {
            addFile(join(directories.get((int) directory - 1), name));
        } else {
            throw unit.malformed("file " + name + " names directory " + directory + " of " + directories.size());
        }
    }

    /** v5: self-describing entries; directory 0 is the compilation directory, file 0 the primary source. */
    private void readVersion5Entries(Cursor cursor) throws MalformedSymbolDataException {
        long[] directoryFormat = readEntryFormat(cursor);
        long directoryCount = entryCount(cursor, directoryFormat);
        for (long i = 0; i < directoryCount; i++) {
            directories.add(readEntry(cursor, directoryFormat).path);
        }
        long[] fileFormat = readEntryFormat(cursor);
        long fileCount = entryCount(cursor, fileFormat);
        for (long i = 0; i < fileCount; i++) {
            Entry file = readEntry(cursor, fileFormat);
            if (file.directory < 0 || file.directory >= directories.size()) {
                throw unit.malformed("file " + file.path + " names directory " + file.directory);
            }
            String directory = directories.get((int) file.directory);
            if (file.directory != 0 && !isAbsolute(directory) && !directories.isEmpty()) {
                directory = join(directories.getFirst(), directory);
            }
            addFile(isAbsolute(file.path) ? file.path : join(directory, file.path));
        }
    }

    /** Pairs of (content type, form), flattened. */
    private long[] readEntryFormat(Cursor cursor) throws MalformedSymbolDataException {
        int count = cursor.u8();
        long[] format = new long[count * 2];
        for (int i = 0; i < format.length; i++) {
            format[i] = cursor.uleb128();
        }
        return format;
    }

    /** Every entry takes at least a byte per field, so a count beyond the unit's bytes is a lie. */
    private long entryCount(Cursor cursor, long[] format) throws MalformedSymbolDataException {
        long count = cursor.uleb128();
        if (count != 0 && (format.length == 0 || count < 0 || count > unit.size() - cursor.position())) {
            throw unit.malformed("entry count " + Long.toUnsignedString(count) + " with " + format.length / 2
                    + " fields does not fit the header");
        }
        return count;
    }

    private record Entry(String path, long directory) {}

    private Entry readEntry(Cursor cursor, long[] format) throws MalformedSymbolDataException {
        String path = "";
        long directory = 0;
        for (int i = 0; i < format.length; i += 2) {
            long contentType = format[i];
            int form = (int) format[i + 1];
            if (form != format[i + 1]) {
                throw unit.malformed("form 0x" + Long.toHexString(format[i + 1]));
            }
            if (contentType == DW_LNCT_PATH) {
                path = readString(cursor, form);
            } else if (contentType == DW_LNCT_DIRECTORY_INDEX) {
                directory = readNumber(cursor, form);
            } else {
                skip(cursor, form);
            }
        }
        return new Entry(path, directory);
    }

    private String readString(Cursor cursor, int form) throws MalformedSymbolDataException {
        return switch (form) {
            case DW_FORM_STRING -> cursor.cString();
            case DW_FORM_LINE_STRP -> strings.lineString(cursor.unsigned(offsetSize));
            case DW_FORM_STRP -> strings.string(cursor.unsigned(offsetSize));
            default -> throw unit.malformed("path in unsupported form 0x" + Integer.toHexString(form));
        };
    }

    private long readNumber(Cursor cursor, int form) throws MalformedSymbolDataException {
        return switch (form) {
            case DW_FORM_UDATA -> cursor.uleb128();
            case DW_FORM_DATA1 -> cursor.unsigned(1);
            case DW_FORM_DATA2 -> cursor.unsigned(2);
            case DW_FORM_DATA4 -> cursor.unsigned(4);
            case DW_FORM_DATA8 -> cursor.unsigned(8);
            default -> throw unit.malformed("number in unsupported form 0x" + Integer.toHexString(form));
        };
    }

    /** Fields nodescope has no use for (timestamps, sizes, MD5) still have to be stepped over. */
    private void skip(Cursor cursor, int form) throws MalformedSymbolDataException {
        switch (form) {
            case DW_FORM_DATA16 -> cursor.skip(16);
            case DW_FORM_BLOCK -> cursor.skip(cursor.uleb128());
            case DW_FORM_STRING, DW_FORM_LINE_STRP, DW_FORM_STRP -> readString(cursor, form);
            default -> readNumber(cursor, form);
        }
    }

    private void execute(Cursor cursor, List<Sequence> sequences) throws MalformedSymbolDataException {
        long address = 0;
        long file = 1;
        long line = 1;
        Sequence sequence = new Sequence();
        // Every opcode consumes at least one byte of the bounded unit, so the loop ends.
        while (cursor.position() < unit.size()) {
            int opcode = cursor.u8();
            if (opcode >= opcodeBase) {
                int adjusted = opcode - opcodeBase;
                address += (long) minimumInstructionLength * (adjusted / lineRange);
                line += lineBase + adjusted % lineRange;
                emit(sequence, address, file, line);
            } else if (opcode == 0) {
                long length = cursor.uleb128();
                long end = cursor.position() + length;
                if (length > unit.size() - cursor.position()) {
                    throw unit.malformed("extended opcode of " + length + " bytes past the unit's end");
                }
                if (length == 0) {
                    continue; // no sub-opcode to run
                }
                int extended = cursor.u8();
                if (extended == DW_LNE_END_SEQUENCE) {
                    emitEnd(sequence, address);
                    sequences.add(sequence);
                    sequence = new Sequence();
                    address = 0;
                    file = 1;
                    line = 1;
                } else if (extended == DW_LNE_SET_ADDRESS) {
                    address = cursor.unsigned((int) length - 1);
                } else if (extended == DW_LNE_DEFINE_FILE && version < 5) {
                    addVersion2File(cursor, cursor.cString());
                }
                cursor.skip(end - cursor.position());
            } else {
                switch (opcode) {
                    case DW_LNS_COPY -> emit(sequence, address, file, line);
                    case DW_LNS_ADVANCE_PC -> address += cursor.uleb128() * minimumInstructionLength;
                    case DW_LNS_ADVANCE_LINE -> line += cursor.sleb128();
                    case DW_LNS_SET_FILE -> file = cursor.uleb128();
                    case DW_LNS_CONST_ADD_PC -> address += (long) minimumInstructionLength
                            * ((255 - opcodeBase) / lineRange);
                    case DW_LNS_FIXED_ADVANCE_PC -> address += cursor.u16();
                    default -> {
                        // set_column, negate_stmt, basic_block, prologue/epilogue, set_isa and
                        // opcodes newer than this reader: skip the operands the header declares.
                        for (int i = 0; i < standardOpcodeLengths[opcode]; i++) {
                            cursor.uleb128();
                        }
                    }
                }
            }
        }
        // Rows after the last end_sequence belong to no closed sequence and are dropped.
    }

    private void emit(Sequence sequence, long address, long file, long line) throws MalformedSymbolDataException {
        long index = file - (version >= 5 ? 0 : 1);
        if (index < 0 || index >= unitFiles.size()) {
            throw unit.malformed("row names file " + file + " of " + unitFiles.size());
        }
        checkOrder(sequence, address);
        sequence.add(address, unitFiles.get((int) index), (int) Math.clamp(line, 0, Integer.MAX_VALUE));
    }

    private void emitEnd(Sequence sequence, long address) throws MalformedSymbolDataException {
        checkOrder(sequence, address);
        sequence.add(address, END_OF_SEQUENCE, 0);
    }

    /** DWARF requires addresses to grow within a sequence; the binary search relies on it. */
    private void checkOrder(Sequence sequence, long address) throws MalformedSymbolDataException {
        if (!sequence.isEmpty() && Long.compareUnsigned(address, sequence.end()) < 0) {
            throw unit.malformed("address 0x" + Long.toHexString(address) + " goes back within a sequence");
        }
    }

    private void addFile(String path) {
        unitFiles.add(paths.indexOf(path));
    }

    private static boolean isAbsolute(String path) {
        return path.startsWith("/");
    }

    private static String join(String directory, String name) {
        return directory.endsWith("/") ? directory + name : directory + "/" + name;
    }
}
