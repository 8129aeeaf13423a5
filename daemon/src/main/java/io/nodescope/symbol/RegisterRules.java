package io.nodescope.symbol;

import java.util.Arrays;

/**
 * One row of a CFI table: how to find the caller's frame from the registers at some pc. The CFA
 * (canonical frame address: the caller's rsp) is a register plus an offset or an expression; each
 * register's rule says where the caller's value is. Immutable, and interned per table: a library's
 * tens of thousands of rows share a few hundred distinct rule sets.
 *
 * <p>Registers are DWARF's x86-64 numbers: 0-15 the general registers (rax, rdx, rcx, rbx, rsi,
 * rdi, rbp, rsp, r8-r15), 16 the return address (rip). Rules for others (vector registers) play no
 * part in finding frames and are not kept.
 */
final class RegisterRules {
    static final int REGISTERS = 17;
    static final int RBX = 3;
    static final int RBP = 6;
    static final int RSP = 7;
    static final int R12 = 12;
    static final int R13 = 13;
    static final int R14 = 14;
    static final int R15 = 15;
    static final int RETURN_ADDRESS = 16;

    // Register rule kinds (DWARF 5, 6.4.1). UNSPECIFIED is a register no instruction mentioned.
    static final byte UNSPECIFIED = 0;
    static final byte UNDEFINED = 1;
    static final byte SAME_VALUE = 2;
    /** Saved at CFA + operand. */
    static final byte OFFSET = 3;
    /** Is CFA + operand. */
    static final byte VAL_OFFSET = 4;
    /** Is in register operand. */
    static final byte REGISTER = 5;
    /** Saved at the address the expression computes (CFA pushed first). */
    static final byte EXPRESSION = 6;
    /** Is the value the expression computes (CFA pushed first). */
    static final byte VAL_EXPRESSION = 7;

    /** The CFA register, or -1 when the CFA is an expression (or not defined at all). */
    final int cfaRegister;
    final long cfaOffset;
    /** The CFA expression (PLT entries, signal trampolines), or null. */
    final byte[] cfaExpression;
    final byte[] kinds;
    final long[] operands;
    final byte[][] expressions;
    /** From the CIE's 'S': the caller's pc was interrupted, so it is looked up as is, not at pc - 1. */
    final boolean signalFrame;
    private final int hash;

    RegisterRules(int cfaRegister, long cfaOffset, byte[] cfaExpression, byte[] kinds, long[] operands,
                  byte[][] expressions, boolean signalFrame) {
        this.cfaRegister = cfaRegister;
        this.cfaOffset = cfaOffset;
        this.cfaExpression = cfaExpression;
        this.kinds = kinds;
        this.operands = operands;
        this.expressions = expressions;
        this.signalFrame = signalFrame;
        this.hash = hash(cfaRegister, cfaOffset, cfaExpression, kinds, operands, expressions, signalFrame);
    }

    static int hash(int cfaRegister, long cfaOffset, byte[] cfaExpression, byte[] kinds, long[] operands,
                    byte[][] expressions, boolean signalFrame) {
        return 31 * (31 * (31 * (31 * cfaRegister + Long.hashCode(cfaOffset)) + Arrays.hashCode(cfaExpression))
                + Arrays.hashCode(kinds) + 7 * Arrays.hashCode(operands)) + Arrays.deepHashCode(expressions)
                + (signalFrame ? 1 : 0);
    }

    /** Whether freezing this program state would give rules equal to these. */
    boolean sameAs(CfiProgram.State state, boolean stateSignalFrame) {
        return cfaRegister == state.cfaRegister && cfaOffset == state.cfaOffset && signalFrame == stateSignalFrame
                && Arrays.equals(cfaExpression, state.cfaExpression) && Arrays.equals(kinds, state.kinds)
                && Arrays.equals(operands, state.operands) && Arrays.deepEquals(expressions, state.expressions);
    }

    boolean cfaIsExpression() {
        return cfaExpression != null;
    }

    /** Heap bytes, for the table cache's weight. */
    long retainedBytes() {
        long bytes = 64 + REGISTERS * (1 + 8 + 8) + 48;
        if (cfaExpression != null) {
            bytes += 16 + cfaExpression.length;
        }
        for (byte[] expression : expressions) {
            bytes += expression == null ? 0 : 16 + expression.length;
        }
        return bytes;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RegisterRules that && hash == that.hash && cfaRegister == that.cfaRegister
                && cfaOffset == that.cfaOffset && signalFrame == that.signalFrame
                && Arrays.equals(cfaExpression, that.cfaExpression) && Arrays.equals(kinds, that.kinds)
                && Arrays.equals(operands, that.operands) && Arrays.deepEquals(expressions, that.expressions);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("CFA=");
        text.append(cfaIsExpression() ? "exp" : cfaRegister < 0 ? "u" : "r" + cfaRegister + "+" + cfaOffset);
        for (int register = 0; register < REGISTERS; register++) {
            if (kinds[register] != UNSPECIFIED) {
                text.append(" r").append(register).append('=').append(switch (kinds[register]) {
                    case UNDEFINED -> "u";
                    case SAME_VALUE -> "s";
                    case OFFSET -> "c" + (operands[register] >= 0 ? "+" : "") + operands[register];
                    case VAL_OFFSET -> "v" + (operands[register] >= 0 ? "+" : "") + operands[register];
                    case REGISTER -> "r" + operands[register];
                    case EXPRESSION -> "exp";
                    default -> "vexp";
                });
            }
        }
        return text.toString();
    }
}
