package io.nodescope.symbol;

/**
 * Symbol data (ELF, pclntab, DWARF) that cannot be what it claims to be. The daemon reads binaries
 * from every container on the node, so this is an expected outcome, not a bug: the caller counts it
 * and keeps the frame unresolved. Checked on purpose, so no parser can let it escape unnoticed.
 */
final class MalformedSymbolDataException extends Exception {
    MalformedSymbolDataException(String message) {
        super(message);
    }
}
