package io.nodescope.symbol;

/**
 * Read-only memory holding the go:func.* (go.func.* before Go 1.20) symbol, where Go 1.18+ keeps
 * funcdata such as the inline trees: .gopclntab stores only offsets from that symbol's address,
 * which lives in moduledata or the symbol table, not in .gopclntab itself.
 *
 * @param memory        bytes mapped at {@code memoryAddress}, e.g. the whole .rodata section
 * @param memoryAddress virtual address of {@code memory}'s first byte
 * @param goFuncAddress virtual address of go:func.*, inside {@code memory}
 */
record GoFuncData(BoundedReader memory, long memoryAddress, long goFuncAddress) {}
