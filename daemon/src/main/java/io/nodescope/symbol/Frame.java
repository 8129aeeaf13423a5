package io.nodescope.symbol;

import java.util.Optional;

/**
 * One symbolized stack frame. A frame whose function is unknown still names where the address is:
 * its module and offset, so it can be symbolized offline later and never vanishes from a stack.
 *
 * @param address          the instruction address as the stack had it
 * @param function         the function's name, demangled
 * @param offsetInFunction bytes from the function's start; 0 when the function is unknown
 * @param module           the mapped file as the process sees it (for containers: the path inside the
 *                         container), a kernel module, "[kernel.kallsyms]", "[vdso]" or "[jit]"
 * @param moduleOffset     the address as the module's ELF file sees it (load bias removed: what
 *                         {@code addr2line -e module} takes) when the file could be read; otherwise
 *                         the offset into the mapped file. Kernel frames keep the absolute address.
 * @param sourceFile       the source file when a line table covers the address
 * @param line             the source line, 0 when unknown
 */
public record Frame(long address, Optional<String> function, long offsetInFunction, Optional<String> module,
                    long moduleOffset, Optional<String> sourceFile, int line) {

    static Frame unresolved(long address, Optional<String> module, long moduleOffset) {
        return new Frame(address, Optional.empty(), 0, module, moduleOffset, Optional.empty(), 0);
    }

    /** This frame with another frame's source position: the physical function at its innermost line. */
    Frame withSourceOf(Frame innermost) {
        return new Frame(address, function, offsetInFunction, module, moduleOffset, innermost.sourceFile,
                innermost.line);
    }

    /**
     * The conventional one-line form: {@code allocate_chunks+0x1c (/usr/bin/oom-alloc+0x11c4) oom-alloc.c:42};
     * {@code 0x7f3c1a0291c4 (/usr/lib/libc.so.6+0x291c4)} when only the module is known, the bare address
     * when not even that is.
     */
    public String toStackLine() {
        StringBuilder line = new StringBuilder(96);
        if (function.isPresent()) {
            line.append(function.get()).append("+0x").append(Long.toHexString(offsetInFunction));
        } else {
            line.append("0x").append(Long.toHexString(address));
        }
        module.ifPresent(name -> line.append(" (").append(name).append("+0x")
                .append(Long.toHexString(moduleOffset)).append(')'));
        sourceFile.ifPresent(file -> {
            line.append(' ').append(file);
            if (this.line > 0) {
                line.append(':').append(this.line);
            }
        });
        return line.toString();
    }
}
