package io.nodescope.symbol;

import java.nio.ByteBuffer;

/**
 * Everything call frame information reaches from a section's bytes, called as the unwinder calls
 * it: CIE and FDE framing, pointer encodings, the DW_CFA programs of both section formats, lookups,
 * and the DWARF expressions of the rules found, evaluated over a fixed frame. Either it answers or
 * throws {@link MalformedSymbolDataException}; anything else, a hang or an out-of-memory is a bug.
 */
final class CfiParsers {
    /** Where the section is said to be loaded: pc-relative pointers count from here. */
    static final long SECTION_ADDRESS = 0x2000;

    private CfiParsers() {}

    static void exercise(byte[] section) {
        for (CallFrameInfo.Format format : CallFrameInfo.Format.values()) {
            try {
                UnwindTable table = UnwindTable.fromSection(
                        BoundedReader.littleEndian(ByteBuffer.wrap(section), ".eh_frame"), SECTION_ADDRESS, format);
                DwarfExpression expression = new DwarfExpression();
                for (long address = 0; address < 0x8000; address += 0x7) {
                    RegisterRules rules = table.rulesAt(address);
                    if (rules != null) {
                        evaluateAll(rules, expression);
                    }
                }
            } catch (MalformedSymbolDataException expected) {
                // The one way to reject input.
            }
        }
    }

    private static void evaluateAll(RegisterRules rules, DwarfExpression expression) {
        if (rules.cfaIsExpression()) {
            expression.evaluate(rules.cfaExpression, false, 0, FixedFrame.INSTANCE);
        }
        for (byte[] registerExpression : rules.expressions) {
            if (registerExpression != null) {
                expression.evaluate(registerExpression, true, 0x7ffe0100L, FixedFrame.INSTANCE);
            }
        }
    }

    /** Every register known, a 512-byte stack at 0x7ffe0000 holding its own addresses. */
    static final class FixedFrame implements DwarfExpression.Frame {
        static final FixedFrame INSTANCE = new FixedFrame();
        private static final long STACK = 0x7ffe0000L;

        @Override
        public boolean known(int register) {
            return true;
        }

        @Override
        public long register(int register) {
            return STACK + 8L * register;
        }

        @Override
        public boolean readable(long address, int size) {
            return address >= STACK && address - STACK <= 512 - size;
        }

        @Override
        public long read(long address, int size) {
            return address + 8;
        }
    }
}
