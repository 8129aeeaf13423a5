package io.nodescope.symbol;

import java.util.Optional;

/** The string sections a v5 line header's DW_FORM_line_strp and DW_FORM_strp offsets point into. */
final class DwarfStrings {
    private final Optional<BoundedReader> lineStrings;
    private final Optional<BoundedReader> strings;

    DwarfStrings(Optional<BoundedReader> lineStrings, Optional<BoundedReader> strings) {
        this.lineStrings = lineStrings;
        this.strings = strings;
    }

    String lineString(long offset) throws MalformedSymbolDataException {
        return read(lineStrings, ".debug_line_str", offset);
    }

    String string(long offset) throws MalformedSymbolDataException {
        return read(strings, ".debug_str", offset);
    }

    private static String read(Optional<BoundedReader> section, String name, long offset)
            throws MalformedSymbolDataException {
        if (section.isEmpty()) {
            throw new MalformedSymbolDataException(".debug_line: refers to " + name + ", which the file lacks");
        }
        return section.get().cString(offset);
    }
}
