package io.nodescope.symbol;

import java.util.ArrayDeque;

/**
 * Runs the DW_CFA instructions of a CIE and one of its FDEs, handing out a row of rules at every
 * address where they change. The CIE's initial rules are computed once per CIE by the caller
 * ({@link #initialRules}) and reused for each of its FDEs, so a CIE with a long program costs once,
 * not once per function.
 *
 * <p>Bounds: every instruction consumes at least one byte of a range checked against the section,
 * so a program runs in time linear in its length; DW_CFA_remember_state nests at most
 * {@link #MAX_REMEMBERED_STATES} deep; rows past the FDE's range are dropped.
 */
final class CfiProgram {
    static final int MAX_REMEMBERED_STATES = 64;

    /**
     * Receives rows in address order; an address may repeat, the later row then replacing the earlier.
     * The state is the program's own, valid only during the call: a sink keeps it by freezing it.
     */
    interface RowSink {
        void row(long address, State rules, boolean signalFrame) throws MalformedSymbolDataException;
    }

    /** The mutable rule state while a program runs. */
    static final class State {
        int cfaRegister = -1;
        long cfaOffset;
        byte[] cfaExpression;
        final byte[] kinds = new byte[RegisterRules.REGISTERS];
        final long[] operands = new long[RegisterRules.REGISTERS];
        final byte[][] expressions = new byte[RegisterRules.REGISTERS][];

        State copy() {
            State copy = new State();
            copy.cfaRegister = cfaRegister;
            copy.cfaOffset = cfaOffset;
            copy.cfaExpression = cfaExpression;
            System.arraycopy(kinds, 0, copy.kinds, 0, kinds.length);
            System.arraycopy(operands, 0, copy.operands, 0, operands.length);
            System.arraycopy(expressions, 0, copy.expressions, 0, expressions.length);
            return copy;
        }

        void setRegister(int register, byte kind, long operand, byte[] expression) {
            if (register >= 0 && register < RegisterRules.REGISTERS) {
                kinds[register] = kind;
                operands[register] = operand;
                expressions[register] = expression;
            }
        }

        void restoreRegister(int register, State initial) {
            if (register >= 0 && register < RegisterRules.REGISTERS) {
                kinds[register] = initial.kinds[register];
                operands[register] = initial.operands[register];
                expressions[register] = initial.expressions[register];
            }
        }

        RegisterRules freeze(boolean signalFrame) {
            return new RegisterRules(cfaRegister, cfaOffset, cfaExpression, kinds.clone(), operands.clone(),
                    expressions.clone(), signalFrame);
        }

        /** Equal for states whose frozen rules are equal: the table interns rows without freezing each. */
        int rulesHash(boolean signalFrame) {
            return RegisterRules.hash(cfaRegister, cfaOffset, cfaExpression, kinds, operands, expressions, signalFrame);
        }
    }

    private CfiProgram() {}

    /** The rules a CIE's initial instructions set up, before any FDE instruction. */
    static State initialRules(CallFrameInfo cfi, CallFrameInfo.Cie cie) throws MalformedSymbolDataException {
        State state = new State();
        run(cfi, cie, cie.instructionsStart(), cie.instructionsEnd(), 0, Long.MAX_VALUE, state, null, null);
        return state;
    }

    /** Runs an FDE's program from its CIE's initial rules, handing each row to {@code sink}. */
    static void rows(CallFrameInfo.Fde fde, State initial, RowSink sink) throws MalformedSymbolDataException {
        run(fde.section(), fde.cie(), fde.instructionsStart(), fde.instructionsEnd(), fde.pcBegin(), fde.pcEnd(),
                initial.copy(), initial, sink);
    }

    /**
     * @param initial the CIE's rules, for DW_CFA_restore; null while running the CIE itself
     * @param sink    null while running the CIE (no rows: it has no addresses)
     */
    private static void run(CallFrameInfo cfi, CallFrameInfo.Cie cie, long start, long end, long pcBegin,
                            long pcEnd, State state, State initial, RowSink sink) throws MalformedSymbolDataException {
        BoundedReader section = cfi.section();
        Cursor cursor = new Cursor(section, start);
        ArrayDeque<State> remembered = new ArrayDeque<>();
        long location = pcBegin;
        State restoreFrom = initial == null ? state : initial;
        while (!cursor.atOrPast(end)) {
            int opcode = cursor.u8();
            long advance = -1;
            switch (opcode >> 6) {
                case 1 -> advance = opcode & 0x3f; // DW_CFA_advance_loc
                case 2 -> state.setRegister(opcode & 0x3f, RegisterRules.OFFSET,
                        cursor.uleb128() * cie.dataAlignment(), null); // DW_CFA_offset
                case 3 -> state.restoreRegister(opcode & 0x3f, restoreFrom); // DW_CFA_restore
                default -> {
                    switch (opcode) {
                        case 0x00 -> { } // DW_CFA_nop
                        case 0x01 -> { // DW_CFA_set_loc
                            long target = cfi.readPointer(cursor, cie.fdeEncoding(), 0);
                            emit(sink, location, state, cie, pcEnd);
                            if (Long.compareUnsigned(target, location) < 0) {
                                throw section.malformed("DW_CFA_set_loc moves back to 0x" + Long.toHexString(target));
                            }
                            location = target;
                        }
                        case 0x02 -> advance = cursor.u8();
                        case 0x03 -> advance = cursor.u16();
                        case 0x04 -> advance = cursor.u32();
                        case 0x05 -> { // DW_CFA_offset_extended
                            int register = register(cursor);
                            state.setRegister(register, RegisterRules.OFFSET, cursor.uleb128() * cie.dataAlignment(), null);
                        }
                        case 0x06 -> state.restoreRegister(register(cursor), restoreFrom); // DW_CFA_restore_extended
                        case 0x07 -> state.setRegister(register(cursor), RegisterRules.UNDEFINED, 0, null);
                        case 0x08 -> state.setRegister(register(cursor), RegisterRules.SAME_VALUE, 0, null);
                        case 0x09 -> { // DW_CFA_register
                            int register = register(cursor);
                            state.setRegister(register, RegisterRules.REGISTER, register(cursor), null);
                        }
                        case 0x0a -> { // DW_CFA_remember_state
                            if (remembered.size() >= MAX_REMEMBERED_STATES) {
                                throw section.malformed("DW_CFA_remember_state nested over " + MAX_REMEMBERED_STATES);
                            }
                            remembered.push(state.copy());
                        }
                        case 0x0b -> { // DW_CFA_restore_state: the CFA too, as GCC and libgcc read DWARF.
                            if (remembered.isEmpty()) {
                                throw section.malformed("DW_CFA_restore_state without remember_state");
                            }
                            State saved = remembered.pop();
                            state.cfaRegister = saved.cfaRegister;
                            state.cfaOffset = saved.cfaOffset;
                            state.cfaExpression = saved.cfaExpression;
                            System.arraycopy(saved.kinds, 0, state.kinds, 0, saved.kinds.length);
                            System.arraycopy(saved.operands, 0, state.operands, 0, saved.operands.length);
                            System.arraycopy(saved.expressions, 0, state.expressions, 0, saved.expressions.length);
                        }
                        case 0x0c -> { // DW_CFA_def_cfa
                            state.cfaRegister = register(cursor);
                            state.cfaOffset = cursor.uleb128();
                            state.cfaExpression = null;
                        }
                        case 0x0d -> { // DW_CFA_def_cfa_register
                            state.cfaRegister = register(cursor);
                            state.cfaExpression = null;
                        }
                        case 0x0e -> state.cfaOffset = cursor.uleb128(); // DW_CFA_def_cfa_offset
                        case 0x0f -> { // DW_CFA_def_cfa_expression
                            state.cfaExpression = block(section, cursor);
                            state.cfaRegister = -1;
                        }
                        case 0x10 -> { // DW_CFA_expression
                            int register = register(cursor);
                            state.setRegister(register, RegisterRules.EXPRESSION, 0, block(section, cursor));
                        }
                        case 0x11 -> { // DW_CFA_offset_extended_sf
                            int register = register(cursor);
                            state.setRegister(register, RegisterRules.OFFSET, cursor.sleb128() * cie.dataAlignment(), null);
                        }
                        case 0x12 -> { // DW_CFA_def_cfa_sf
                            state.cfaRegister = register(cursor);
                            state.cfaOffset = cursor.sleb128() * cie.dataAlignment();
                            state.cfaExpression = null;
                        }
                        case 0x13 -> state.cfaOffset = cursor.sleb128() * cie.dataAlignment(); // DW_CFA_def_cfa_offset_sf
                        case 0x14 -> { // DW_CFA_val_offset
                            int register = register(cursor);
                            state.setRegister(register, RegisterRules.VAL_OFFSET, cursor.uleb128() * cie.dataAlignment(), null);
                        }
                        case 0x15 -> { // DW_CFA_val_offset_sf
                            int register = register(cursor);
                            state.setRegister(register, RegisterRules.VAL_OFFSET, cursor.sleb128() * cie.dataAlignment(), null);
                        }
                        case 0x16 -> { // DW_CFA_val_expression
                            int register = register(cursor);
                            state.setRegister(register, RegisterRules.VAL_EXPRESSION, 0, block(section, cursor));
                        }
                        case 0x2e -> cursor.uleb128(); // DW_CFA_GNU_args_size: for landing pads, not unwinding.
                        case 0x2f -> { // DW_CFA_GNU_negative_offset_extended
                            int register = register(cursor);
                            state.setRegister(register, RegisterRules.OFFSET, -cursor.uleb128() * cie.dataAlignment(), null);
                        }
                        case 0x2d -> { } // DW_CFA_GNU_window_save (SPARC; arm64's negate_ra_state): no x86-64 meaning.
                        default -> throw section.malformed("unknown DW_CFA opcode 0x" + Integer.toHexString(opcode)
                                + " at " + (cursor.position() - 1));
                    }
                }
            }
            if (advance >= 0) {
                if (sink == null) {
                    throw section.malformed("CIE instructions advance the location");
                }
                emit(sink, location, state, cie, pcEnd);
                location += advance * cie.codeAlignment();
            }
        }
        if (sink != null) {
            emit(sink, location, state, cie, pcEnd);
        }
    }

    private static void emit(RowSink sink, long location, State state, CallFrameInfo.Cie cie, long pcEnd)
            throws MalformedSymbolDataException {
        if (sink != null && Long.compareUnsigned(location, pcEnd) < 0) {
            sink.row(location, state, cie.signalFrame());
        }
    }

    /** A register number; one past any DWARF numbering is kept as is and ignored by the rules. */
    private static int register(Cursor cursor) throws MalformedSymbolDataException {
        long register = cursor.uleb128();
        return register < 0 || register > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) register;
    }

    /** A ULEB128-sized block of expression bytes, copied out of the section. */
    private static byte[] block(BoundedReader section, Cursor cursor) throws MalformedSymbolDataException {
        long length = cursor.uleb128();
        long start = cursor.position();
        cursor.skip(length);
        byte[] bytes = new byte[(int) length];
        section.buffer().get((int) start, bytes);
        return bytes;
    }
}
