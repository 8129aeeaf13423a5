package io.nodescope.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.config.ModuleSettings;
import io.nodescope.config.SettingSpec;
import io.nodescope.decode.EventDecoder;
import io.nodescope.decode.RecordFormat;
import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.module.ProbeModule;
import io.nodescope.proto.v1.Event;
import io.nodescope.record.EventCodec;
import io.nodescope.record.EventCodecs;
import io.nodescope.testing.RepositoryRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What registering a probe module must bring along: a recording codec for every event it decodes,
 * record kinds and Event cases no other module claims, its BPF sources, settings in its own
 * namespace, and its row in the README and in docs/ARCHITECTURE.md.
 */
class ProbeModulesTest {
    private static final List<ProbeModule> MODULES = ProbeModules.all();

    @Test
    void everyDecodedEventTypeCanBeRecordedAndReplayed() {
        EventCodecs codecs = ProbeModules.codecs(MODULES);
        for (ProbeModule module : MODULES) {
            for (RecordFormat format : module.recordFormats()) {
                assertTrue(codecs.covers(format.type()), module.name() + " decodes " + format.type().getSimpleName()
                        + " but registers no EventCodec for it: --record would fail on it");
            }
        }
    }

    @Test
    void everyEventCaseOfTheProtoBelongsToExactlyOneModule() {
        // EventCodecs refuses two codecs for one case; here every case must have one.
        Set<Event.KindCase> claimed = MODULES.stream().flatMap(module -> module.eventCodecs().stream())
                .map(EventCodec::kind).collect(Collectors.toSet());
        Set<Event.KindCase> cases = Arrays.stream(Event.KindCase.values())
                .filter(kind -> kind != Event.KindCase.KIND_NOT_SET).collect(Collectors.toSet());
        assertEquals(cases, claimed, "every nodescope.v1.Event case needs a module's codec");
    }

    @Test
    void recordKindsAreUniqueAcrossModules() {
        // The decoder refuses a kind claimed twice.
        new EventDecoder(4096, new MetricsRegistry(), ProbeModules.formats(MODULES));
        assertEquals(MODULES.size(), MODULES.stream().map(ProbeModule::name).distinct().count(), "module names");
    }

    @Test
    void everyModuleHasItsBpfSourcesAndNamespacedSettings() {
        Path bpf = RepositoryRoot.find().resolve("bpf");
        for (ProbeModule module : MODULES) {
            String object = module.kernelProbe(ModuleSettings.defaults(module.settings())).objectFile();
            String base = object.replace(".bpf.o", "");
            assertTrue(Files.isRegularFile(bpf.resolve(base + ".bpf.c")), "bpf/" + base + ".bpf.c for " + module.name());
            assertTrue(Files.isRegularFile(bpf.resolve(base + ".h")), "bpf/" + base + ".h for " + module.name());
            for (SettingSpec setting : module.settings()) {
                assertTrue(setting.name().startsWith(module.name() + "-"),
                        setting.name() + " must start with the module's name, " + module.name() + "-");
            }
        }
    }

    @Test
    void everyModuleIsDocumented() throws Exception {
        String readme = Files.readString(RepositoryRoot.find().resolve("README.md"));
        String guide = Files.readString(RepositoryRoot.find().resolve("docs/ARCHITECTURE.md"));
        for (ProbeModule module : MODULES) {
            String row = "| `" + module.name() + "` |";
            assertTrue(readme.contains(row), "README.md's probe module table has no row " + row);
            assertTrue(guide.contains(row), "docs/ARCHITECTURE.md's module table has no row " + row);
            for (SettingSpec setting : module.settings()) {
                assertTrue(readme.contains("`--" + setting.name() + " "), "README.md does not document --"
                        + setting.name());
            }
        }
    }
}
