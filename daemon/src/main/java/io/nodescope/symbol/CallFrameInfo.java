package io.nodescope.symbol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The entries of one call frame information section, .eh_frame or .debug_frame: CIEs (what the
 * functions of a compilation unit share: alignment factors, pointer encoding, initial rules) and
 * FDEs (one function's address range and its rule program). Only the framing is decoded here; the
 * rule programs are run by {@link CfiProgram}.
 *
 * <p>The two sections differ in three ways: a CIE's id (0 in .eh_frame, all ones in .debug_frame),
 * what an FDE's CIE pointer counts from (back from the pointer itself, or from the section start),
 * and addresses (pointer encodings of the 'R' augmentation in .eh_frame, plain target addresses in
 * .debug_frame).
 */
final class CallFrameInfo {
    /** libjvm.so has 52,857 FDEs; a section claiming far more is refused rather than allocated for. */
    static final int MAX_FDES = 1 << 21;

    enum Format { EH_FRAME, DEBUG_FRAME }

    /**
     * @param fdeEncoding         DW_EH_PE_* of an FDE's addresses ('R'); absptr without one
     * @param signalFrame         'S': a signal trampoline, whose caller's pc was interrupted, not called from
     * @param hasAugmentationData 'z': every FDE carries augmentation data to skip
     */
    record Cie(long codeAlignment, long dataAlignment, int returnAddressRegister, int fdeEncoding,
               boolean signalFrame, boolean hasAugmentationData, long instructionsStart, long instructionsEnd) {}

    /** One function's [pcBegin, pcEnd) and its rule program at [instructionsStart, instructionsEnd) of {@code section}. */
    record Fde(CallFrameInfo section, Cie cie, long pcBegin, long pcEnd, long instructionsStart, long instructionsEnd) {}

    static final int DW_EH_PE_ABSPTR = 0x00;
    static final int DW_EH_PE_OMIT = 0xff;
    private static final int DW_EH_PE_PCREL = 0x10;
    private static final int DW_EH_PE_DATAREL = 0x30;
    private static final int DW_EH_PE_INDIRECT = 0x80;

    private final BoundedReader section;
    private final long sectionAddress;
    private final Format format;
    private final Map<Long, Cie> ciesByOffset = new HashMap<>();

    /** @param sectionAddress the section's virtual address, what pc-relative pointers count from */
    CallFrameInfo(BoundedReader section, long sectionAddress, Format format) {
        this.section = section;
        this.sectionAddress = sectionAddress;
        this.format = format;
    }

    BoundedReader section() {
        return section;
    }

    Format format() {
        return format;
    }

    long sectionAddress() {
        return sectionAddress;
    }

    /** Every FDE in section order: for .eh_frame without .eh_frame_hdr, and for .debug_frame. */
    List<Fde> scan() throws MalformedSymbolDataException {
        List<Fde> fdes = new ArrayList<>();
        long at = 0;
        while (section.size() - at >= 4) {
            long length = section.u32(at);
            if (length == 0) {
                if (format == Format.EH_FRAME) {
                    break; // .eh_frame's terminator.
                }
                at += 4; // Padding between .debug_frame's entries.
                continue;
            }
            Entry entry = new Entry(at);
            if (!entry.isCie()) {
                if (fdes.size() >= MAX_FDES) {
                    throw section.malformed("more than " + MAX_FDES + " FDEs");
                }
                fdes.add(fde(entry));
            }
            at = entry.end;
        }
        return fdes;
    }

    /** The FDE at a section offset, as .eh_frame_hdr's table points to it. */
    Fde fdeAt(long offset) throws MalformedSymbolDataException {
        Entry entry = new Entry(offset);
        if (entry.isCie()) {
            throw section.malformed("a CIE, not an FDE, at offset " + offset);
        }
        return fde(entry);
    }

    /**
     * One length-prefixed entry. 64-bit DWARF (the escape length 0xffffffff) widens the length and
     * the id to 8 bytes.
     */
    private final class Entry {
        final long start;
        final long idOffset;
        final long id;
        final boolean wide;
        final long contentStart;
        final long end;

        Entry(long start) throws MalformedSymbolDataException {
            this.start = start;
            long length = section.u32(start);
            boolean escaped = length == 0xffffffffL;
            this.wide = escaped;
            this.idOffset = start + (escaped ? 12 : 4);
            if (escaped) {
                length = section.u64(start + 4);
            }
            if (length <= 0 || length > section.size() - idOffset) {
                throw section.malformed("entry at " + start + " of length " + length + " runs past the section");
            }
            this.end = idOffset + length;
            this.id = wide ? section.u64(idOffset) : section.u32(idOffset);
            this.contentStart = idOffset + (wide ? 8 : 4);
            if (contentStart > end) {
                throw section.malformed("entry at " + start + " too short for its id");
            }
        }

        boolean isCie() {
            if (format == Format.EH_FRAME) {
                return id == 0;
            }
            return wide ? id == -1L : id == 0xffffffffL;
        }

        /** The CIE's section offset: .eh_frame counts back from the id field, .debug_frame from the start. */
        long cieOffset() {
            return format == Format.EH_FRAME ? idOffset - id : id;
        }
    }

    private Fde fde(Entry entry) throws MalformedSymbolDataException {
        Cie cie = cieAt(entry.cieOffset());
        Cursor cursor = new Cursor(section, entry.contentStart);
        long pcBegin = readPointer(cursor, cie.fdeEncoding(), 0);
        // The range is a length: the encoding's size and signedness, none of its relative base.
        long pcRange = readPointer(cursor, cie.fdeEncoding() & 0x0f, 0);
        if (cie.hasAugmentationData()) {
            cursor.skip(cursor.uleb128());
        }
        long instructionsStart = cursor.position();
        if (instructionsStart > entry.end) {
            throw section.malformed("FDE at " + entry.start + " has its header past its end");
        }
        long pcEnd = pcBegin + pcRange;
        if (Long.compareUnsigned(pcEnd, pcBegin) < 0) {
            throw section.malformed("FDE at " + entry.start + " wraps around the address space");
        }
        return new Fde(this, cie, pcBegin, pcEnd, instructionsStart, entry.end);
    }

    private Cie cieAt(long offset) throws MalformedSymbolDataException {
        Cie cached = ciesByOffset.get(offset);
        if (cached != null) {
            return cached;
        }
        Entry entry = new Entry(offset);
        if (!entry.isCie()) {
            throw section.malformed("FDE points to a non-CIE at offset " + offset);
        }
        Cie cie = parseCie(entry);
        ciesByOffset.put(offset, cie);
        return cie;
    }

    private Cie parseCie(Entry entry) throws MalformedSymbolDataException {
        Cursor cursor = new Cursor(section, entry.contentStart);
        int version = cursor.u8();
        if (version != 1 && version != 3 && version != 4) {
            throw section.malformed("CIE at " + entry.start + " has version " + version);
        }
        String augmentation = cursor.cString();
        if (version == 4) {
            int addressSize = cursor.u8();
            int segmentSelectorSize = cursor.u8();
            if (addressSize != 8 || segmentSelectorSize != 0) {
                throw section.malformed("CIE at " + entry.start + " for " + addressSize + "-byte addresses");
            }
        }
        long codeAlignment = cursor.uleb128();
        long dataAlignment = cursor.sleb128();
        int returnAddressRegister = (int) (version == 1 ? cursor.u8() : cursor.uleb128());
        int fdeEncoding = DW_EH_PE_ABSPTR;
        boolean signalFrame = false;
        boolean hasAugmentationData = augmentation.startsWith("z");
        if (hasAugmentationData) {
            long dataLength = cursor.uleb128();
            long dataEnd = cursor.position() + dataLength;
            for (int i = 1; i < augmentation.length(); i++) {
                switch (augmentation.charAt(i)) {
                    case 'R' -> fdeEncoding = cursor.u8();
                    case 'L' -> cursor.u8(); // The LSDA's encoding: exception tables, not unwinding.
                    case 'P' -> readPointer(cursor, cursor.u8() & ~DW_EH_PE_INDIRECT, 0); // The personality routine.
                    case 'S' -> signalFrame = true;
                    default -> { } // 'B' (arm64 BTI), 'G' (MTE): no bearing on the rules; 'z' says how far to skip.
                }
            }
            cursor.skip(dataEnd - cursor.position());
        } else if (!augmentation.isEmpty()) {
            throw section.malformed("CIE at " + entry.start + " has augmentation \"" + augmentation + "\" without 'z'");
        }
        if (cursor.position() > entry.end) {
            throw section.malformed("CIE at " + entry.start + " has its header past its end");
        }
        return new Cie(codeAlignment, dataAlignment, returnAddressRegister, fdeEncoding, signalFrame,
                hasAugmentationData, cursor.position(), entry.end);
    }

    /**
     * A DW_EH_PE_* encoded pointer at the cursor. pc-relative values count from the field's own
     * address; data-relative ones from {@code dataBase} (.eh_frame_hdr's address, the only table
     * that uses it). An indirect pointer would need the process's memory; only the personality
     * routine uses one, and it is skipped.
     */
    long readPointer(Cursor cursor, int encoding, long dataBase) throws MalformedSymbolDataException {
        return readPointer(section, sectionAddress, cursor, encoding, dataBase);
    }

    static long readPointer(BoundedReader reader, long readerAddress, Cursor cursor, int encoding, long dataBase)
            throws MalformedSymbolDataException {
        if (encoding == DW_EH_PE_OMIT || (encoding & DW_EH_PE_INDIRECT) != 0) {
            throw reader.malformed("pointer encoding 0x" + Integer.toHexString(encoding) + " at " + cursor.position());
        }
        long fieldAddress = readerAddress + cursor.position();
        long value = switch (encoding & 0x0f) {
            case 0x00, 0x04, 0x0c -> cursor.unsigned(8);
            case 0x01 -> cursor.uleb128();
            case 0x02 -> cursor.u16();
            case 0x03 -> cursor.u32();
            case 0x09 -> cursor.sleb128();
            case 0x0a -> (short) cursor.u16();
            case 0x0b -> (int) cursor.u32();
            default -> throw reader.malformed("pointer format 0x" + Integer.toHexString(encoding & 0x0f));
        };
        return switch (encoding & 0x70) {
            case 0x00 -> value;
            case DW_EH_PE_PCREL -> value + fieldAddress;
            case DW_EH_PE_DATAREL -> value + dataBase;
            default -> throw reader.malformed("pointer base 0x" + Integer.toHexString(encoding & 0x70));
        };
    }
}
