package io.nodescope.symbol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * Unwinds a {@link UserStack} through its process's call frame information, frame by frame: find the
 * rules at the pc (each caller at its return address minus one, inside its call instruction), compute
 * the CFA and the caller's registers from them, read the return address from the stack copy. Where
 * no FDE covers a pc (JIT code, hand-written assembly without CFI, Go) it follows the frame pointer.
 *
 * <p>Stops, with the reason in {@link UnwoundStack#end()}: at an undefined return address (the
 * thread's first frame), after {@link #MAX_FRAMES}, at the end of the copied stack, at a caller
 * whose frame would not lie above its callee's (damage; the check is what makes cycles impossible),
 * or at a return address outside executable memory. Each frame costs one binary search and at most
 * {@link RegisterRules#REGISTERS} bounded expression evaluations, so a stack costs bounded time
 * whatever the input.
 */
final class StackUnwinder {
    static final int MAX_FRAMES = 128;
    /** Callee-saved in the x86-64 psABI: a register no rule mentions still holds the caller's value. */
    private static final int CALLEE_SAVED = bit(RegisterRules.RBX) | bit(RegisterRules.RBP)
            | bit(RegisterRules.R12) | bit(RegisterRules.R13) | bit(RegisterRules.R14) | bit(RegisterRules.R15);

    private final UserSymbolizer modules;
    private final UnwindTables tables;

    StackUnwinder(UserSymbolizer modules, UnwindTables tables) {
        this.modules = modules;
        this.tables = tables;
    }

    UnwoundStack unwind(ProcessSnapshot snapshot, UserStack stack) {
        return new Walk(snapshot, stack).run();
    }

    private static int bit(int register) {
        return 1 << register;
    }

    /** One stack's unwinding: the registers of the frame at hand and the memory expressions may read. */
    private final class Walk implements DwarfExpression.Frame {
        private final ProcessSnapshot snapshot;
        private final UserStack.Registers start;
        private final ByteBuffer memory;
        private final long memoryStart;
        private final long[] registers = new long[RegisterRules.REGISTERS];
        private final long[] callerRegisters = new long[RegisterRules.REGISTERS];
        private int known;
        /** Made on the first expression: most stacks have none (PLT entries and signal frames do). */
        private DwarfExpression expression;
        private long[] addresses = new long[16];
        private long[] lookupAddresses = new long[16];
        private int frames;

        Walk(ProcessSnapshot snapshot, UserStack stack) {
            this.snapshot = snapshot;
            this.start = stack.registers();
            this.memory = stack.stack();
            this.memoryStart = start.rsp();
        }

        UnwoundStack run() {
            set(RegisterRules.RETURN_ADDRESS, start.rip());
            set(RegisterRules.RSP, start.rsp());
            set(RegisterRules.RBP, start.rbp());
            set(RegisterRules.RBX, start.rbx());
            set(RegisterRules.R12, start.r12());
            set(RegisterRules.R13, start.r13());
            set(RegisterRules.R14, start.r14());
            set(RegisterRules.R15, start.r15());
            boolean interrupted = true; // The first pc is where the thread was, not a return address.
            while (true) {
                long pc = registers[RegisterRules.RETURN_ADDRESS];
                UnwindRegion region = region(pc);
                if (region == null && frames > 0) {
                    return end(UnwoundStack.End.NOT_CODE);
                }
                long lookup = interrupted ? pc : pc - 1;
                add(pc, lookup);
                if (frames == MAX_FRAMES) {
                    return end(UnwoundStack.End.FRAME_LIMIT);
                }
                if (region == null) {
                    return end(UnwoundStack.End.NOT_CODE);
                }
                RegisterRules rules = region.table() == null ? null
                        : region.table().rulesAt(lookup + region.fileAddressDelta());
                if (rules != null && rules.signalFrame) {
                    // A signal trampoline is entered by the handler's return, not called: name it at its pc.
                    lookupAddresses[frames - 1] = pc;
                }
                UnwoundStack.End stop = rules == null ? stepByFramePointer() : stepByRules(rules);
                if (stop != null) {
                    return end(stop);
                }
                interrupted = rules != null && rules.signalFrame;
                if (registers[RegisterRules.RETURN_ADDRESS] == 0) {
                    return end(UnwoundStack.End.OUTERMOST); // A zeroed return address also ends some threads.
                }
            }
        }

        private void add(long pc, long lookup) {
            if (frames == addresses.length) {
                addresses = Arrays.copyOf(addresses, frames * 2);
                lookupAddresses = Arrays.copyOf(lookupAddresses, frames * 2);
            }
            addresses[frames] = pc;
            lookupAddresses[frames] = lookup;
            frames++;
        }

        private UnwoundStack end(UnwoundStack.End end) {
            Long[] pcs = new Long[frames];
            Long[] lookups = new Long[frames];
            for (int i = 0; i < frames; i++) {
                pcs[i] = addresses[i];
                lookups[i] = lookupAddresses[i];
            }
            return new UnwoundStack(Arrays.asList(pcs), Arrays.asList(lookups), end);
        }

        private DwarfExpression expression() {
            if (expression == null) {
                expression = new DwarfExpression();
            }
            return expression;
        }

        /** The caller's registers by the rules; null when they were found, else why not. */
        private UnwoundStack.End stepByRules(RegisterRules rules) {
            long cfa;
            if (rules.cfaIsExpression()) {
                if (!expression().evaluate(rules.cfaExpression, false, 0, this)) {
                    return UnwoundStack.End.UNUSABLE_RULE;
                }
                cfa = expression.result();
            } else if (rules.cfaRegister >= 0 && known(rules.cfaRegister)) {
                cfa = registers[rules.cfaRegister] + rules.cfaOffset;
            } else {
                return UnwoundStack.End.UNUSABLE_RULE;
            }
            byte returnAddressRule = rules.kinds[RegisterRules.RETURN_ADDRESS];
            if (returnAddressRule == RegisterRules.UNDEFINED || returnAddressRule == RegisterRules.UNSPECIFIED) {
                return UnwoundStack.End.OUTERMOST;
            }
            int callerKnown = 0;
            for (int register = 0; register < RegisterRules.REGISTERS; register++) {
                long operand = rules.operands[register];
                boolean found = switch (rules.kinds[register]) {
                    case RegisterRules.UNSPECIFIED -> {
                        if (register == RegisterRules.RSP) {
                            callerRegisters[register] = cfa; // The CFA is by definition the caller's rsp.
                            yield true;
                        }
                        callerRegisters[register] = registers[register];
                        yield (CALLEE_SAVED & bit(register)) != 0 && known(register);
                    }
                    case RegisterRules.SAME_VALUE -> {
                        callerRegisters[register] = registers[register];
                        yield known(register);
                    }
                    case RegisterRules.OFFSET -> load(register, cfa + operand);
                    case RegisterRules.VAL_OFFSET -> {
                        callerRegisters[register] = cfa + operand;
                        yield true;
                    }
                    case RegisterRules.REGISTER -> {
                        boolean usable = operand >= 0 && operand < RegisterRules.REGISTERS && known((int) operand);
                        callerRegisters[register] = usable ? registers[(int) operand] : 0;
                        yield usable;
                    }
                    case RegisterRules.EXPRESSION -> expression().evaluate(rules.expressions[register], true, cfa, this)
                            && load(register, expression.result());
                    case RegisterRules.VAL_EXPRESSION -> {
                        boolean evaluated = expression().evaluate(rules.expressions[register], true, cfa, this);
                        callerRegisters[register] = evaluated ? expression.result() : 0;
                        yield evaluated;
                    }
                    default -> false; // UNDEFINED
                };
                if (found) {
                    callerKnown |= bit(register);
                }
            }
            if ((callerKnown & bit(RegisterRules.RETURN_ADDRESS)) == 0) {
                return UnwoundStack.End.STACK_SNAPSHOT_END;
            }
            if ((callerKnown & bit(RegisterRules.RSP)) == 0) {
                return UnwoundStack.End.UNUSABLE_RULE;
            }
            // A signal frame's interrupted rsp may lie anywhere (sigaltstack); every other caller is above.
            if (!rules.signalFrame
                    && Long.compareUnsigned(callerRegisters[RegisterRules.RSP], registers[RegisterRules.RSP]) <= 0) {
                return UnwoundStack.End.NOT_ADVANCING;
            }
            System.arraycopy(callerRegisters, 0, registers, 0, RegisterRules.REGISTERS);
            known = callerKnown;
            return null;
        }

        /**
         * Without rules: the frame pointer chain, [rbp] = the caller's rbp, [rbp + 8] = the return
         * address, the caller's rsp just above them. Callee-saved registers are assumed unchanged.
         */
        private UnwoundStack.End stepByFramePointer() {
            if (!known(RegisterRules.RBP)) {
                return UnwoundStack.End.NO_UNWIND_INFO;
            }
            long framePointer = registers[RegisterRules.RBP];
            long callerStackPointer = framePointer + 16;
            if (Long.compareUnsigned(framePointer, registers[RegisterRules.RSP]) < 0
                    || Long.compareUnsigned(callerStackPointer, registers[RegisterRules.RSP]) <= 0) {
                return UnwoundStack.End.NO_UNWIND_INFO; // Not a frame pointer into this stack.
            }
            if (!readable(framePointer, 16)) {
                return UnwoundStack.End.STACK_SNAPSHOT_END;
            }
            registers[RegisterRules.RETURN_ADDRESS] = read(framePointer + 8, 8);
            registers[RegisterRules.RBP] = read(framePointer, 8);
            registers[RegisterRules.RSP] = callerStackPointer;
            known = (known & CALLEE_SAVED) | bit(RegisterRules.RSP) | bit(RegisterRules.RETURN_ADDRESS);
            return null;
        }

        private boolean load(int register, long address) {
            if (!readable(address, 8)) {
                return false;
            }
            callerRegisters[register] = read(address, 8);
            return true;
        }

        private void set(int register, long value) {
            registers[register] = value;
            known |= bit(register);
        }

        /** The region holding the pc, or null when it is in no executable mapping. */
        private UnwindRegion region(long pc) {
            int index = snapshot.regionIndexOf(pc);
            return index < 0 ? null : snapshot.unwindRegion(index, this::resolve);
        }

        /** A file-backed region gets its file's table; anonymous code (JIT) only frame pointers. */
        private UnwindRegion resolve(SnapshotRegion snapshotRegion) {
            MappedRegion region = snapshotRegion.region();
            Optional<PinnedFile<ModuleSymbols>> pinned = snapshotRegion.module();
            Optional<ModuleSymbols> module = pinned.isPresent()
                    ? modules.module(snapshot, snapshotRegion) : Optional.empty();
            if (module.isPresent()) {
                for (ElfFile.LoadSegment segment : module.get().binary().loadSegments()) {
                    if (segment.containsFileOffset(region.fileOffset())) {
                        long delta = region.fileOffset() - segment.offset() + segment.virtualAddress() - region.start();
                        return new UnwindRegion(tables.of(pinned.get().identity(), module.get()), delta);
                    }
                }
            }
            return new UnwindRegion(null, 0);
        }

        @Override
        public boolean known(int register) {
            return (known & bit(register)) != 0;
        }

        @Override
        public long register(int register) {
            return registers[register];
        }

        @Override
        public boolean readable(long address, int size) {
            long offset = address - memoryStart;
            return offset >= 0 && offset <= memory.limit() - size;
        }

        @Override
        public long read(long address, int size) {
            int offset = (int) (address - memoryStart);
            if (size == 8) {
                return memory.getLong(offset);
            }
            long value = 0;
            for (int i = size - 1; i >= 0; i--) {
                value = (value << 8) | (memory.get(offset + i) & 0xff);
            }
            return value;
        }
    }
}
