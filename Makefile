# nodescope: the README's two commands are `sudo make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := build

JAVA_HOME ?= /usr/lib/jvm/temurin-25-jdk-amd64
export JAVA_HOME
# Maven 3.8's own Guava calls sun.misc.Unsafe too: without this JDK 25 warns on every build.
export MAVEN_OPTS ?= --sun-misc-unsafe-memory-access=allow
MVN := mvn -B -q
JAR := daemon/target/nodescope.jar
# The daemon's JVM flags (native access, collector, heap bound, ...) live in one file that the image's
# entry point reads too; why each flag: deploy/jvm.options.
JAVA := $(JAVA_HOME)/bin/java @$(CURDIR)/deploy/jvm.options

BUILD := build/bpf
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
BPF_SRC := $(wildcard bpf/*.bpf.c)
BPF_OBJ := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRC))
# Programs only the integration tests load; build/bpf/test/ is not packaged into the jar.
BPF_TEST_SRC := $(wildcard bpf/test/*.bpf.c)
BPF_TEST_OBJ := $(patsubst bpf/test/%.bpf.c,$(BUILD)/test/%.bpf.o,$(BPF_TEST_SRC))
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD) -Ibpf -Wall -Werror

# Debian packages the build, the run and the tests need; installed when a command is missing.
APT_PACKAGES := clang llvm libbpf-dev libbpf1 bpftool gcc make maven linux-libc-dev golang-go binutils xz-utils gdb
NEEDED_COMMANDS := clang llvm-strip bpftool gcc mvn go nm objcopy strip readelf addr2line xz gdb

.PHONY: deps image-deps bpf build run test fuzz unit-test bench bench-symbolize bench-unwind bench-footprint bench-incident demo-oom demo-oom-neighbour image manifests clean

deps:
	@missing=""; for c in $(NEEDED_COMMANDS); do command -v $$c >/dev/null || missing="$$missing $$c"; done; \
	[ -f /usr/include/bpf/bpf_helpers.h ] || missing="$$missing libbpf-dev"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "nodescope: missing:$$missing; run 'sudo make deps' (installs: $(APT_PACKAGES))" >&2; exit 1; fi; \
	  echo "nodescope: installing$$missing (apt: $(APT_PACKAGES))"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi
	@[ -x "$(JAVA_HOME)/bin/java" ] || { echo "nodescope: JDK 25 not found at JAVA_HOME=$(JAVA_HOME); set JAVA_HOME to a JDK 25" >&2; exit 1; }

# The image's tools (podman, buildah, debootstrap, ...), apart from `deps`: `make run` needs none
# of them; `make image` does, and `make test`, whose end-to-end test builds and runs the image.
image-deps:
	@deploy/image/install-tools.sh

$(BUILD)/vmlinux.h:
	@mkdir -p $(BUILD)
	@[ -r /sys/kernel/btf/vmlinux ] || { echo "nodescope: /sys/kernel/btf/vmlinux missing: the kernel needs CONFIG_DEBUG_INFO_BTF=y" >&2; exit 1; }
	bpftool btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c bpf/%.h $(wildcard bpf/include/*.h) $(BUILD)/vmlinux.h
	clang $(BPF_CFLAGS) -c $< -o $@

# Any test source or shared include: a test program may include another (user_stack_writer_8k.bpf.c).
$(BUILD)/test/%.bpf.o: bpf/test/%.bpf.c $(BPF_TEST_SRC) $(wildcard bpf/include/*.h) $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	clang $(BPF_CFLAGS) -c $< -o $@

bpf: deps $(BPF_OBJ) $(BPF_TEST_OBJ)

build: bpf
	$(MVN) package -DskipTests

# Runs the daemon in the foreground. As root or through sudo; flags go in ARGS="...".
run: build
	$(JAVA) -jar $(JAR) $(ARGS)

# Both tiers: unit tests (surefire) and privileged integration tests (failsafe, *IT), then the
# symbol parsers fuzzed for a fixed budget. Not quiet: the per-class results and Maven's summary
# are the record of what ran.
test: bpf image-deps
	mvn -B -ntp verify
	@rm -rf $(TEST_REPORTS) && mkdir -p $(TEST_REPORTS)
	@cp daemon/target/surefire-reports/TEST-*.xml daemon/target/failsafe-reports/TEST-*.xml $(TEST_REPORTS)/
	$(MAKE) --no-print-directory fuzz

# Every JUnit report of `make test` (the fuzz runs would overwrite the unit run's): .ci/run sums them.
TEST_REPORTS := daemon/target/test-reports

# Jazzer fuzzes one @FuzzTest per JVM, each for its maxDuration (60 s + 30 s + 30 s + 30 s).
FUZZ_TESTS := elfFile goPclnTable dwarfLineTable callFrameInformation
FUZZ_REPORT := daemon/target/surefire-reports/TEST-io.nodescope.symbol.SymbolParsersFuzzTest.xml
fuzz:
	@for target in $(FUZZ_TESTS); do \
	  echo "nodescope: fuzzing SymbolParsersFuzzTest#$$target"; \
	  JAZZER_FUZZ=1 mvn -B -ntp -q -pl daemon surefire:test -Dtest="SymbolParsersFuzzTest#$$target" || exit 1; \
	  mkdir -p $(TEST_REPORTS) && cp $(FUZZ_REPORT) $(TEST_REPORTS)/TEST-fuzz-$$target.xml; \
	done

unit-test: bpf
	$(MVN) test

bench: build
	bench/run-bench.sh

# The symbolizer against llvm-symbolizer and addr2line (no root needed).
bench-symbolize: build
	bench/symbolize-bench.sh

# The CFI unwinder against perf's DWARF unwinding and gdb (as root: gdb and perf attach).
bench-unwind: build
	bench/unwind-bench.sh

# Resident memory with deploy/jvm.options against the JVM's defaults, idle and with a full export queue (root).
bench-footprint: build
	bench/footprint.sh

bench-incident: build
	bench/incident-bench.sh

demo-oom:
	demo/oom-demo.sh

# The allocating process survives and the OOM killer picks a bigger neighbour.
demo-oom-neighbour:
	demo/oom-demo.sh --neighbour

# OCI image FROM scratch (debootstrap + jlink'ed JRE + jar), no registry; as root. See deploy/README.md.
image: build image-deps
	deploy/image/build.sh

# deploy/*.yaml rendered from the Helm chart deploy/helm/nodescope with its default values (Helm's
# own template code, in-process through helm-java); PlainManifestsTest fails when they differ.
manifests:
	MAVEN_OPTS="$(MAVEN_OPTS) --enable-native-access=ALL-UNNAMED" $(MVN) -pl daemon test-compile exec:java -Dexec.mainClass=io.nodescope.deploy.PlainManifests -Dexec.classpathScope=test

clean:
	rm -rf build
	$(MVN) clean
