package io.nodescope.symbol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * binutils' interpretation of a file's call frame information (readelf --debug-dump=frames-interp):
 * per FDE, the rule table rows, each a CFA and one rule per register column as readelf prints them
 * ("rsp+16", "exp", "c-8", "u"...). The expected values of the unwind table tests.
 */
final class ReadelfFrames {
    /** A register column in readelf's names, by DWARF number (16: "ra"). */
    static final List<String> COLUMNS = List.of("rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
            "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "ra");

    record Fde(long pcBegin, long pcEnd, List<Row> rows) {}

    record Row(long address, String cfa, Map<String, String> registers) {}

    private ReadelfFrames() {}

    static List<Fde> of(Path file) throws IOException, InterruptedException {
        // readelf exits 1 on libc.so.6 after printing everything ("Unable to find program interpreter
        // name"), so its exit status says nothing here; an empty table fails the callers' row counts.
        Process readelf = new ProcessBuilder("readelf", "--debug-dump=frames-interp", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(readelf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        readelf.waitFor();
        List<Fde> fdes = new ArrayList<>();
        List<Row> rows = null;
        List<String> columns = List.of();
        for (String line : output.split("\n")) {
            // A register rule prints as "r9 (r9)": the parenthesized name joins the field before it.
            String[] fields = line.trim().replaceAll(" \\(", "_(").split("\\s+");
            int range = line.indexOf(" pc=");
            if (line.contains(" FDE ") && range > 0) {
                String[] bounds = line.substring(range + 4).trim().split("\\.\\.");
                rows = new ArrayList<>();
                fdes.add(new Fde(Long.parseUnsignedLong(bounds[0], 16), Long.parseUnsignedLong(bounds[1], 16), rows));
                columns = List.of();
            } else if (line.contains(" CIE")) {
                rows = null; // The CIE's own rows carry no addresses.
            } else if (rows != null && fields[0].equals("LOC")) {
                columns = List.of(fields).subList(2, fields.length);
            } else if (rows != null && fields.length >= 2 && fields[0].matches("[0-9a-f]{16}")) {
                Map<String, String> registers = new LinkedHashMap<>();
                for (int i = 0; i < columns.size() && i + 2 < fields.length; i++) {
                    registers.put(columns.get(i), fields[i + 2]);
                }
                rows.add(new Row(Long.parseUnsignedLong(fields[0], 16), fields[1], registers));
            }
        }
        return fdes;
    }

    /** The CFA of our rules as readelf prints it. */
    static String cfa(RegisterRules rules) {
        if (rules.cfaIsExpression()) {
            return "exp";
        }
        return COLUMNS.get(rules.cfaRegister) + (rules.cfaOffset >= 0 ? "+" : "") + rules.cfaOffset;
    }

    /**
     * One register's rule of ours as readelf prints it (with {@link #of}'s "_" joining a register's
     * name); readelf shows never-set registers as "u" too.
     */
    static String rule(RegisterRules rules, String column) {
        int register = COLUMNS.indexOf(column);
        long operand = rules.operands[register];
        String signed = (operand >= 0 ? "+" : "") + operand;
        return switch (rules.kinds[register]) {
            case RegisterRules.UNSPECIFIED, RegisterRules.UNDEFINED -> "u";
            case RegisterRules.SAME_VALUE -> "s";
            case RegisterRules.OFFSET -> "c" + signed;
            case RegisterRules.VAL_OFFSET -> "v" + signed;
            case RegisterRules.REGISTER -> "r" + operand + "_(" + COLUMNS.get((int) operand) + ")";
            case RegisterRules.EXPRESSION -> "exp";
            default -> "vexp";
        };
    }
}
