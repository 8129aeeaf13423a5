package io.nodescope.symbol;

/** The bytes are not an ELF file this reader accepts, or an offset in them points outside the file. */
final class MalformedElfException extends Exception {
    MalformedElfException(String message) {
        super(message);
    }
}
