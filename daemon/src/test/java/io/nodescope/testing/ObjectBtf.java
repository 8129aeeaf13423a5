package io.nodescope.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The struct sizes and member offsets of a compiled BPF object (build/bpf/NAME.bpf.o, built by
 * `make bpf`, which `make test` runs first), from `bpftool btf dump`: every layout test checks its
 * Java offsets against these, so a field moved on the C side fails the build, not a span.
 */
public final class ObjectBtf {
    private static final Pattern STRUCT = Pattern.compile("^\\[\\d+] STRUCT '(\\w+)' size=(\\d+) vlen=\\d+$");
    private static final Pattern MEMBER = Pattern.compile("^\\s+'(\\w+)' type_id=\\d+ bits_offset=(\\d+)$");

    private final String object;
    private final Map<String, Integer> sizes = new HashMap<>();
    private final Map<String, Integer> offsets = new HashMap<>();

    private ObjectBtf(String object) {
        this.object = object;
    }

    /** @param objectFile e.g. "oom.bpf.o" */
    public static ObjectBtf of(String objectFile) throws IOException, InterruptedException {
        Path object = RepositoryRoot.find().resolve("build/bpf").resolve(objectFile);
        assertTrue(Files.isReadable(object), object + " missing: run `make bpf` (or `make test`)");
        Process bpftool = new ProcessBuilder(bpftool(), "btf", "dump", "file", object.toString())
                .redirectErrorStream(true).start();
        String dump = new String(bpftool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, bpftool.waitFor(), dump);
        ObjectBtf btf = new ObjectBtf(objectFile);
        String struct = null;
        for (String line : dump.lines().toList()) {
            Matcher structLine = STRUCT.matcher(line);
            Matcher memberLine = MEMBER.matcher(line);
            if (structLine.matches()) {
                struct = structLine.group(1);
                btf.sizes.put(struct, Integer.parseInt(structLine.group(2)));
            } else if (memberLine.matches() && struct != null) {
                btf.offsets.put(struct + "." + memberLine.group(1), Integer.parseInt(memberLine.group(2)) / 8);
            } else if (!line.startsWith("\t")) {
                struct = null;
            }
        }
        return btf;
    }

    private static String bpftool() {
        return Files.isExecutable(Path.of("/usr/sbin/bpftool")) ? "/usr/sbin/bpftool" : "bpftool";
    }

    public void assertSize(String struct, int javaSize) {
        assertEquals(sizes.get(struct), Integer.valueOf(javaSize), "sizeof(struct " + struct + ") in " + object);
    }

    /** @param member "struct.member" */
    public void assertOffset(String member, int javaOffset) {
        Integer btfOffset = offsets.get(member);
        assertEquals(btfOffset, Integer.valueOf(javaOffset), member + " in " + object + " (BTF says " + btfOffset + ")");
    }
}
