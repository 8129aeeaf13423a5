import io.nodescope.bpf.AttachedProbe;
import io.nodescope.bpf.KernelProbe;
import io.nodescope.config.ConfigLoader;
import io.nodescope.config.ModuleSettings;
import io.nodescope.daemon.ProbeModules;
import io.nodescope.decode.EventDecoder;
import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.module.ProbeModule;
import io.nodescope.module.exit.ProcessExit;
import io.nodescope.module.oom.OomKill;
import io.nodescope.ringbuf.MappedRing;
import io.nodescope.ringbuf.RingPoller;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Captures one real OOM-kill record and its victim's process-exit record from the kernel's rings
 * into daemon/src/test/resources/captured/, for EventDecoderCapturedTest. Run as root from the
 * repository root after `make build`:
 *   java --enable-native-access=ALL-UNNAMED -cp daemon/target/nodescope.jar \
 *        daemon/src/test/capture/CaptureOomRecords.java
 * It runs demo/oom-demo.sh itself to cause the kill; other processes' kills and exits on the node
 * are skipped.
 */
public class CaptureOomRecords {
    public static void main(String[] args) throws Exception {
        Path out = Path.of("daemon/src/test/resources/captured");
        List<ProbeModule> modules = ProbeModules.all();
        ModuleSettings settings = ConfigLoader.load(List.of(), Map.of(), ProbeModules.catalog(modules)).moduleSettings();
        EventDecoder decoder = new EventDecoder(4096, new MetricsRegistry(), ProbeModules.formats(modules));
        AtomicReference<byte[]> kill = new AtomicReference<>();
        AtomicReference<byte[]> exit = new AtomicReference<>();
        AtomicLong victim = new AtomicLong(-1);
        List<AutoCloseable> opened = new ArrayList<>();
        try (RingPoller poller = new RingPoller()) {
            for (ProbeModule module : modules) {
                KernelProbe spec = module.kernelProbe(settings);
                AttachedProbe probe = AttachedProbe.attach(module.name(), spec);
                opened.add(probe);
                for (KernelProbe.Ring ring : spec.rings()) {
                    MappedRing mapped = MappedRing.map(ring.map(), probe.ringFd(ring), probe.ringSize(ring));
                    opened.add(mapped);
                    poller.add(mapped, (ByteBuffer buffer, int offset, int length) -> {
                        byte[] record = new byte[length];
                        buffer.get(offset, record);
                        decoder.decode(buffer, offset, length).ifPresent(event -> {
                            if (event instanceof OomKill oom && oom.victim().comm().equals("oom-alloc")
                                    && kill.get() == null) {
                                kill.set(record);
                                victim.set(oom.victim().tgid());
                            } else if (event instanceof ProcessExit death && death.task().tgid() == victim.get()) {
                                exit.set(record);
                            }
                        });
                    });
                }
            }
            Process demo = new ProcessBuilder("bash", "demo/oom-demo.sh").inheritIO().start();
            while (kill.get() == null || exit.get() == null) {
                poller.poll(100);
            }
            demo.waitFor();
        } finally {
            for (AutoCloseable resource : opened.reversed()) {
                resource.close();
            }
        }
        Files.write(out.resolve("oom_kill_tp_btf.bin"), kill.get());
        Files.write(out.resolve("process_exit.bin"), exit.get());
        System.out.println("captured " + kill.get().length + " + " + exit.get().length + " bytes");
    }
}
