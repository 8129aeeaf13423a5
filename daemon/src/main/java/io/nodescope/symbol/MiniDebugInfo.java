package io.nodescope.symbol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.tukaani.xz.XZInputStream;

/**
 * MiniDebugInfo (Fedora, RHEL, and others): a stripped binary carries an xz-compressed ELF file in
 * .gnu_debugdata whose .symtab lists the local functions the .dynsym lacks, so stacks through static
 * functions still get names with no debug package installed.
 */
final class MiniDebugInfo {
    /** Real ones are tens to hundreds of KB; the cap stops an xz bomb. */
    static final int MAX_DECOMPRESSED_BYTES = 64 << 20;
    /** xz's own limit on the decoder's dictionary and state, in KiB, against a forged dictionary size. */
    private static final int DECODER_MEMORY_LIMIT_KIB = 128 << 10;

    private MiniDebugInfo() {}

    static Optional<ElfFile> of(ElfFile binary) throws MalformedSymbolDataException {
        Optional<BoundedReader> compressed = binary.section(".gnu_debugdata");
        return compressed.isPresent() ? Optional.of(ElfFile.parse(decompress(compressed.get().buffer())))
                : Optional.empty();
    }

    /** The fuzzing entry point: xz bytes to at most {@link #MAX_DECOMPRESSED_BYTES} bytes, or an exception. */
    static ByteBuffer decompress(ByteBuffer xz) throws MalformedSymbolDataException {
        try (InputStream in = new XZInputStream(new ByteBufferInputStream(xz.slice()), DECODER_MEMORY_LIMIT_KIB)) {
            byte[] out = in.readNBytes(MAX_DECOMPRESSED_BYTES + 1);
            if (out.length > MAX_DECOMPRESSED_BYTES) {
                throw new MalformedSymbolDataException(".gnu_debugdata decompresses to more than " + MAX_DECOMPRESSED_BYTES);
            }
            return ByteBuffer.wrap(out);
        } catch (IOException e) {
            // XZFormatException, CorruptedInputException, MemoryLimitException, EOFException: all bad input.
            throw new MalformedSymbolDataException(".gnu_debugdata: " + e);
        }
    }

    private static final class ByteBufferInputStream extends InputStream {
        private final ByteBuffer buffer;

        ByteBufferInputStream(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public int read() {
            return buffer.hasRemaining() ? buffer.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (!buffer.hasRemaining()) {
                return -1;
            }
            int n = Math.min(length, buffer.remaining());
            buffer.get(target, offset, n);
            return n;
        }
    }
}
