package io.nodescope.symbol;

/**
 * Evaluates the DWARF expressions call frame information uses (DW_CFA_def_cfa_expression,
 * DW_CFA_expression, DW_CFA_val_expression) over a frame's known registers and the stack snapshot:
 * the PLT's "rsp + 8, + 8 more past the push" rule, the signal trampoline's "CFA = *(rsp + 160)",
 * and hand-written assembly's register-based rules. A stack machine of literals, register bases,
 * arithmetic, comparisons, branches and memory loads; anything else (a register not known in this
 * frame, memory outside the snapshot, an operation that needs the whole process) fails the
 * evaluation, which ends the unwind there.
 *
 * <p>Bounds: at most {@link #MAX_STEPS} operations (branches can loop) and {@link #MAX_DEPTH}
 * stack entries. One instance per unwind: not thread-safe.
 */
final class DwarfExpression {
    static final int MAX_STEPS = 256;
    static final int MAX_DEPTH = 64;

    /** The registers of the frame being unwound and the memory its expressions may load. */
    interface Frame {
        boolean known(int register);

        long register(int register);

        /** The 8 bytes at an address, or fails when they are outside the snapshot. */
        boolean readable(long address, int size);

        long read(long address, int size);
    }

    private final long[] stack = new long[MAX_DEPTH];
    /** Where the LEB128 decoders leave their value. */
    private final long[] operand = new long[1];
    private long result;

    /** The value of the last successful {@link #evaluate}. */
    long result() {
        return result;
    }

    /**
     * @param initial pushed first when {@code pushInitial} (the CFA, for register rules)
     * @return false when the expression cannot be evaluated here
     */
    boolean evaluate(byte[] expression, boolean pushInitial, long initial, Frame frame) {
        int depth = 0;
        if (pushInitial) {
            stack[depth++] = initial;
        }
        int at = 0;
        for (int step = 0; step < MAX_STEPS; step++) {
            if (at == expression.length) {
                if (depth == 0) {
                    return false;
                }
                result = stack[depth - 1];
                return true;
            }
            if (at < 0 || at > expression.length) {
                return false;
            }
            int opcode = expression[at++] & 0xff;
            if (depth >= MAX_DEPTH - 1) {
                return false;
            }
            if (opcode >= 0x30 && opcode <= 0x4f) { // DW_OP_lit0..31
                stack[depth++] = opcode - 0x30;
                continue;
            }
            if (opcode >= 0x70 && opcode <= 0x8f) { // DW_OP_breg0..31
                int register = opcode - 0x70;
                int next = sleb(expression, at, operand);
                if (next < 0 || register >= RegisterRules.REGISTERS || !frame.known(register)) {
                    return false;
                }
                at = next;
                stack[depth++] = frame.register(register) + operand[0];
                continue;
            }
            switch (opcode) {
                case 0x08 -> { // DW_OP_const1u
                    if (at + 1 > expression.length) {
                        return false;
                    }
                    stack[depth++] = expression[at++] & 0xff;
                }
                case 0x09 -> { // DW_OP_const1s
                    if (at + 1 > expression.length) {
                        return false;
                    }
                    stack[depth++] = expression[at++];
                }
                case 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f -> { // DW_OP_const2u/2s/4u/4s/8u/8s
                    int size = opcode <= 0x0b ? 2 : opcode <= 0x0d ? 4 : 8;
                    if (at + size > expression.length) {
                        return false;
                    }
                    long value = littleEndian(expression, at, size);
                    boolean signed = (opcode & 1) == 1 && size < 8;
                    stack[depth++] = signed ? (value << (64 - 8 * size)) >> (64 - 8 * size) : value;
                    at += size;
                }
                case 0x10 -> { // DW_OP_constu
                    at = uleb(expression, at, operand);
                    stack[depth++] = operand[0];
                }
                case 0x11 -> { // DW_OP_consts
                    at = sleb(expression, at, operand);
                    stack[depth++] = operand[0];
                }
                case 0x92 -> { // DW_OP_bregx
                    at = uleb(expression, at, operand);
                    long register = operand[0];
                    if (at < 0 || register < 0 || register >= RegisterRules.REGISTERS || !frame.known((int) register)) {
                        return false;
                    }
                    at = sleb(expression, at, operand);
                    stack[depth++] = frame.register((int) register) + operand[0];
                }
                case 0x12 -> { // DW_OP_dup
                    if (depth < 1) {
                        return false;
                    }
                    stack[depth] = stack[depth - 1];
                    depth++;
                }
                case 0x13 -> { // DW_OP_drop
                    if (depth < 1) {
                        return false;
                    }
                    depth--;
                }
                case 0x14 -> { // DW_OP_over
                    if (depth < 2) {
                        return false;
                    }
                    stack[depth] = stack[depth - 2];
                    depth++;
                }
                case 0x15 -> { // DW_OP_pick
                    if (at >= expression.length) {
                        return false;
                    }
                    int index = expression[at++] & 0xff;
                    if (index >= depth) {
                        return false;
                    }
                    stack[depth] = stack[depth - 1 - index];
                    depth++;
                }
                case 0x16 -> { // DW_OP_swap
                    if (depth < 2) {
                        return false;
                    }
                    long top = stack[depth - 1];
                    stack[depth - 1] = stack[depth - 2];
                    stack[depth - 2] = top;
                }
                case 0x17 -> { // DW_OP_rot
                    if (depth < 3) {
                        return false;
                    }
                    long top = stack[depth - 1];
                    stack[depth - 1] = stack[depth - 2];
                    stack[depth - 2] = stack[depth - 3];
                    stack[depth - 3] = top;
                }
                case 0x06, 0x94 -> { // DW_OP_deref, DW_OP_deref_size
                    int size = 8;
                    if (opcode == 0x94) {
                        if (at >= expression.length) {
                            return false;
                        }
                        size = expression[at++] & 0xff;
                    }
                    if (depth < 1 || size < 1 || size > 8 || !frame.readable(stack[depth - 1], size)) {
                        return false;
                    }
                    stack[depth - 1] = frame.read(stack[depth - 1], size);
                }
                case 0x19 -> { // DW_OP_abs
                    if (depth < 1) {
                        return false;
                    }
                    stack[depth - 1] = Math.abs(stack[depth - 1]);
                }
                case 0x1f -> { // DW_OP_neg
                    if (depth < 1) {
                        return false;
                    }
                    stack[depth - 1] = -stack[depth - 1];
                }
                case 0x20 -> { // DW_OP_not
                    if (depth < 1) {
                        return false;
                    }
                    stack[depth - 1] = ~stack[depth - 1];
                }
                case 0x23 -> { // DW_OP_plus_uconst
                    if (depth < 1) {
                        return false;
                    }
                    at = uleb(expression, at, operand);
                    stack[depth - 1] += operand[0];
                }
                case 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x21, 0x22, 0x24, 0x25, 0x26, 0x27,
                     0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e -> {
                    if (depth < 2) {
                        return false;
                    }
                    long right = stack[depth - 1];
                    long left = stack[depth - 2];
                    long value;
                    switch (opcode) {
                        case 0x1a -> value = left & right;
                        case 0x1b -> { // DW_OP_div (signed)
                            if (right == 0) {
                                return false;
                            }
                            value = left / right;
                        }
                        case 0x1c -> value = left - right;
                        case 0x1d -> { // DW_OP_mod
                            if (right == 0) {
                                return false;
                            }
                            value = Long.remainderUnsigned(left, right);
                        }
                        case 0x1e -> value = left * right;
                        case 0x21 -> value = left | right;
                        case 0x22 -> value = left + right;
                        case 0x24 -> value = right >= 64 || right < 0 ? 0 : left << right;
                        case 0x25 -> value = right >= 64 || right < 0 ? 0 : left >>> right;
                        case 0x26 -> value = left >> (right >= 64 || right < 0 ? 63 : right);
                        case 0x27 -> value = left ^ right;
                        case 0x29 -> value = left == right ? 1 : 0;
                        case 0x2a -> value = left >= right ? 1 : 0;
                        case 0x2b -> value = left > right ? 1 : 0;
                        case 0x2c -> value = left <= right ? 1 : 0;
                        case 0x2d -> value = left < right ? 1 : 0;
                        default -> value = left != right ? 1 : 0;
                    }
                    depth--;
                    stack[depth - 1] = value;
                }
                case 0x2f, 0x28 -> { // DW_OP_skip, DW_OP_bra
                    if (at + 2 > expression.length) {
                        return false;
                    }
                    int offset = (short) littleEndian(expression, at, 2);
                    at += 2;
                    boolean take = true;
                    if (opcode == 0x28) {
                        if (depth < 1) {
                            return false;
                        }
                        take = stack[--depth] != 0;
                    }
                    if (take) {
                        at += offset;
                    }
                }
                case 0x96 -> { } // DW_OP_nop
                default -> {
                    return false; // DW_OP_reg*, calls, TLS, entry values: not address arithmetic over a frame.
                }
            }
            if (at < 0) {
                return false;
            }
        }
        return false;
    }

    private static long littleEndian(byte[] bytes, int at, int size) {
        long value = 0;
        for (int i = size - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[at + i] & 0xff);
        }
        return value;
    }

    /** Decodes a ULEB128 at {@code at} into out[0]; returns the next position, or -1 past the end. */
    private static int uleb(byte[] bytes, int at, long[] out) {
        long value = 0;
        for (int shift = 0; shift < 70 && at >= 0 && at < bytes.length; shift += 7) {
            int b = bytes[at++] & 0xff;
            if (shift < 64) {
                value |= (long) (b & 0x7f) << shift;
            }
            if ((b & 0x80) == 0) {
                out[0] = value;
                return at;
            }
        }
        return -1;
    }

    private static int sleb(byte[] bytes, int at, long[] out) {
        long value = 0;
        for (int shift = 0; shift < 70 && at >= 0 && at < bytes.length; shift += 7) {
            int b = bytes[at++] & 0xff;
            if (shift < 64) {
                value |= (long) (b & 0x7f) << shift;
            }
            if ((b & 0x80) == 0) {
                if (shift + 7 < 64 && (b & 0x40) != 0) {
                    value |= -1L << (shift + 7);
                }
                out[0] = value;
                return at;
            }
        }
        return -1;
    }
}
