import io.nodescope.bpf.AttachedProbe;
import io.nodescope.bpf.KernelProbe;
import io.nodescope.config.ModuleSettings;
import io.nodescope.module.ProbeModule;
import io.nodescope.module.exit.ProcessExitModule;
import io.nodescope.module.oom.OomModule;
import io.nodescope.ringbuf.MappedRing;
import io.nodescope.ringbuf.RecordHandler;
import io.nodescope.ringbuf.RingPoller;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Captures one real OOM-kill record and one process-exit record from the kernel's rings into
 * daemon/src/test/resources/captured/, for EventDecoderCapturedTest. Run as root from the
 * repository root after `make build`:
 *   env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin java --enable-native-access=ALL-UNNAMED -cp daemon/target/nodescope.jar \
 *        daemon/src/test/capture/CaptureOomRecords.java
 * It runs demo/oom-demo.sh itself to cause the kill. env -i: the record holds a copy of the trigger's
 * stack, whose top holds its environment, committed with the fixture.
 */
public class CaptureOomRecords {
    public static void main(String[] args) throws Exception {
        Path out = Path.of("daemon/src/test/resources/captured");
        Map<Integer, byte[]> firstByKind = new HashMap<>();
        RecordHandler keepFirst = (ByteBuffer buffer, int offset, int length) -> {
            byte[] record = new byte[length];
            buffer.get(offset, record);
            int kind = Short.toUnsignedInt(buffer.getShort(offset));
            firstByKind.putIfAbsent(kind, record);
        };
        List<AutoCloseable> opened = new ArrayList<>();
        try (RingPoller poller = new RingPoller()) {
            for (ProbeModule module : List.of(new OomModule(), new ProcessExitModule())) {
                KernelProbe probe = module.kernelProbe(ModuleSettings.defaults(module.settings()));
                AttachedProbe attached = AttachedProbe.attach(module.name(), probe);
                opened.add(attached);
                for (KernelProbe.Ring ring : probe.rings()) {
                    MappedRing mapped = MappedRing.map(ring.map(), attached.ringFd(ring), attached.ringSize(ring));
                    opened.add(mapped);
                    poller.add(mapped, keepFirst);
                }
            }
            Process demo = new ProcessBuilder("bash", "demo/oom-demo.sh").inheritIO().start();
            while (firstByKind.size() < 2) {
                poller.poll(100);
            }
            demo.waitFor();
        } finally {
            for (AutoCloseable closeable : opened.reversed()) {
                closeable.close();
            }
        }
        Files.write(out.resolve("oom_kill_tp_btf.bin"), firstByKind.get(1));
        Files.write(out.resolve("process_exit.bin"), firstByKind.get(2));
        System.out.println("captured " + firstByKind.get(1).length + " + " + firstByKind.get(2).length + " bytes");
    }
}
