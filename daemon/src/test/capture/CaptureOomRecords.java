import io.nodescope.bpf.OomProbe;
import io.nodescope.ringbuf.MappedRing;
import io.nodescope.ringbuf.RingPoller;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Captures one real OOM-kill record and one process-exit record from the kernel's ring into
 * daemon/src/test/resources/captured/, for EventDecoderCapturedTest. Run as root from the
 * repository root after `make build`:
 *   java --enable-native-access=ALL-UNNAMED -cp daemon/target/nodescope.jar \
 *        daemon/src/test/capture/CaptureOomRecords.java
 * It runs demo/oom-demo.sh itself to cause the kill.
 */
public class CaptureOomRecords {
    public static void main(String[] args) throws Exception {
        Path out = Path.of("daemon/src/test/resources/captured");
        Map<Integer, byte[]> firstByKind = new HashMap<>();
        try (OomProbe probe = OomProbe.attach();
             MappedRing ring = MappedRing.map(OomProbe.RING_MAP, probe.ringFd(), probe.ringSize());
             RingPoller poller = new RingPoller()) {
            poller.add(ring, (ByteBuffer buffer, int offset, int length) -> {
                byte[] record = new byte[length];
                buffer.get(offset, record);
                int kind = Short.toUnsignedInt(buffer.getShort(offset));
                firstByKind.putIfAbsent(kind, record);
            });
            Process demo = new ProcessBuilder("bash", "demo/oom-demo.sh").inheritIO().start();
            while (firstByKind.size() < 2) {
                poller.poll(100);
            }
            demo.waitFor();
        }
        Files.write(out.resolve("oom_kill_tp_btf.bin"), firstByKind.get(1));
        Files.write(out.resolve("process_exit.bin"), firstByKind.get(2));
        System.out.println("captured " + firstByKind.get(1).length + " + " + firstByKind.get(2).length + " bytes");
    }
}
