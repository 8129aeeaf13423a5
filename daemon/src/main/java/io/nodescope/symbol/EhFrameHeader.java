package io.nodescope.symbol;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * .eh_frame_hdr (PT_GNU_EH_FRAME): the address-sorted table of (function start, FDE address) pairs
 * the runtime's unwinder binary-searches. Read here for its list of live FDEs, in address order.
 */
final class EhFrameHeader {
    private EhFrameHeader() {}

    /**
     * The FDEs the table lists, or empty when the header is unusable (no table, another version, a
     * table whose .eh_frame pointer disagrees with the section): then .eh_frame is scanned instead.
     * An FDE the table points to that does not parse is malformed data, not a reason to scan.
     */
    static Optional<List<CallFrameInfo.Fde>> fdes(BoundedReader header, long headerAddress, CallFrameInfo ehFrame)
            throws MalformedSymbolDataException {
        if (header.size() < 4 || header.u8(0) != 1) {
            return Optional.empty();
        }
        int ehFramePointerEncoding = header.u8(1);
        int countEncoding = header.u8(2);
        int tableEncoding = header.u8(3);
        if (ehFramePointerEncoding == CallFrameInfo.DW_EH_PE_OMIT || countEncoding == CallFrameInfo.DW_EH_PE_OMIT
                || tableEncoding == CallFrameInfo.DW_EH_PE_OMIT) {
            return Optional.empty();
        }
        Cursor cursor = new Cursor(header, 4);
        long ehFrameAddress = CallFrameInfo.readPointer(header, headerAddress, cursor, ehFramePointerEncoding, headerAddress);
        long count = CallFrameInfo.readPointer(header, headerAddress, cursor, countEncoding, headerAddress);
        if (ehFrameAddress != ehFrame.sectionAddress()) {
            return Optional.empty();
        }
        if (count < 0 || count > CallFrameInfo.MAX_FDES || count > header.size()) {
            throw header.malformed("FDE count " + count);
        }
        List<CallFrameInfo.Fde> fdes = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            CallFrameInfo.readPointer(header, headerAddress, cursor, tableEncoding, headerAddress); // The start, again in the FDE.
            long fdeAddress = CallFrameInfo.readPointer(header, headerAddress, cursor, tableEncoding, headerAddress);
            fdes.add(ehFrame.fdeAt(fdeAddress - ehFrameAddress));
        }
        return Optional.of(fdes);
    }
}
