package io.nodescope.bpf;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelPreflightTest {
    private static final long ROOT = 0x000001ffffffffffL;
    private static final long CAP_DAC_READ_SEARCH = 1L << 2;
    private static final long CAP_SYS_PTRACE = 1L << 19;
    private static final long CAP_SYS_ADMIN = 1L << 21;
    private static final long CAP_PERFMON = 1L << 38;
    private static final long CAP_BPF = 1L << 39;

    @TempDir
    Path dir;
    private Path btf;

    @BeforeEach
    void fakeBtf() throws IOException {
        btf = Files.write(dir.resolve("vmlinux"), new byte[] {(byte) 0x9f, (byte) 0xeb});
    }

    private KernelPreflight withCapabilities(long effective) throws IOException {
        Path status = Files.writeString(dir.resolve("status"), """
                Name:\tjava
                Uid:\t1000\t1000\t1000\t1000
                CapInh:\t0000000000000000
                CapPrm:\t%1$016x
                CapEff:\t%1$016x
                CapBnd:\t000001ffffffffff
                """.formatted(effective));
        return new KernelPreflight(status, btf);
    }

    private static String failure(KernelPreflight preflight) {
        return assertThrows(BpfSetupException.class, preflight::check).getMessage();
    }

    private static void assertContains(String expected, String actual) {
        assertTrue(actual.contains(expected), () -> "expected '" + expected + "' in: " + actual);
    }

    @Test
    void rootCapabilitiesPass() throws IOException {
        assertDoesNotThrow(withCapabilities(ROOT)::check);
    }

    @Test
    void sysAdminStillNeedsProcAccess() throws IOException {
        String message = failure(withCapabilities(CAP_SYS_ADMIN));
        assertContains("CAP_SYS_PTRACE", message);
        assertContains("CAP_DAC_READ_SEARCH", message);
        assertDoesNotThrow(withCapabilities(CAP_SYS_ADMIN | CAP_SYS_PTRACE | CAP_DAC_READ_SEARCH)::check);
    }

    @Test
    void bpfPerfmonPtraceAndDacReadSearchPass() throws IOException {
        assertDoesNotThrow(withCapabilities(CAP_BPF | CAP_PERFMON | CAP_SYS_PTRACE | CAP_DAC_READ_SEARCH)::check);
    }

    @Test
    void noCapabilitiesNameTheMissingOnesAndSudo() throws IOException {
        String message = failure(withCapabilities(0));

        assertContains("CAP_BPF", message);
        assertContains("CAP_PERFMON", message);
        assertContains("sudo", message);
    }

    @Test
    void bpfWithoutPerfmonIsRefused() throws IOException {
        assertContains("CAP_PERFMON", failure(withCapabilities(CAP_BPF | CAP_SYS_PTRACE | CAP_DAC_READ_SEARCH)));
    }

    @Test
    void bpfAndPerfmonWithoutProcAccessNameWhatIsMissing() throws IOException {
        String message = failure(withCapabilities(CAP_BPF | CAP_PERFMON | CAP_DAC_READ_SEARCH));

        assertContains("CAP_SYS_PTRACE", message);
        assertTrue(!message.contains("CAP_DAC_READ_SEARCH"), message);
    }

    @Test
    void missingBtfNamesTheFileAndTheKernelOption() throws IOException {
        KernelPreflight preflight = new KernelPreflight(withCapabilitiesFile(ROOT), dir.resolve("no-btf"));

        String message = failure(preflight);

        assertContains(dir.resolve("no-btf").toString(), message);
        assertContains("CONFIG_DEBUG_INFO_BTF", message);
    }

    @Test
    void statusWithoutCapEffIsReported() throws IOException {
        Path status = Files.writeString(dir.resolve("status"), "Name:\tjava\n");

        assertContains("CapEff", failure(new KernelPreflight(status, btf)));
    }

    @Test
    void unreadableStatusNamesTheFile() {
        Path missing = dir.resolve("absent");

        assertContains(missing.toString(), failure(new KernelPreflight(missing, btf)));
    }

    private Path withCapabilitiesFile(long effective) throws IOException {
        return Files.writeString(dir.resolve("status"), "CapEff:\t%016x\n".formatted(effective));
    }
}
