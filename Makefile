# wick: `make run` sets up and runs wick on units/; `make test` sets up and passes every test.
SWIFT ?= swift
APT_PACKAGES := libsystemd-dev libcap-dev libseccomp-dev pkg-config
# Real programs the end-to-end tests run under wick (../shared/corpus/consumers).
TEST_PACKAGES := iproute2 libcap2-bin uuid-runtime rbldnsd systemd-journal-remote openssh-server openssh-client micro-httpd dbus-daemon dbus-bin gunicorn curl python3 python3-prometheus-client busybox-static
CORPUS ?= $(abspath ../shared/corpus)
WICK := .build/release/wick

PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: setup build release static order-file image install run test fuzz-build fuzz test-asan soak bench bench-anatomy bench-parse corpus-warnings clean

# Installs the Debian packages wick's C helpers and tests need (as root), or says what is missing.
setup:
	@missing=""; for p in $(APT_PACKAGES) $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "wick needs these Debian packages:$$missing"; \
	    echo "run as root: apt-get install$$missing"; exit 1; \
	  fi; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "swift not found: install Swift 6.1 or later (https://swift.org/install)"; exit 1; }

build: setup
	$(SWIFT) build

# Generic types are reached through their metadata accessors, not by mangled name: a concrete
# type looked up by name (`[String: Unit]` ...) makes the runtime demangle it and scan the binary's
# 4,150 conformance records for its `Hashable` key, about 250,000 instructions per new key type;
# 2.3 of the 14.3 million instructions from exec to 1,000 listening sockets (docs/performance.md).
# Release builds leave out the runtime's dynamic exclusivity checks (a trap on an overlapping
# access to a class property, global or escaping capture): 10 % of the instructions of an
# Accept=yes connection. Debug builds keep them, so every test, fuzzer and sanitizer run checks
# them; in PID 1 the check's only outcome is a trap that ends every service (docs/performance.md).
SPEED_FLAGS := -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors \
	-Xswiftc -enforce-exclusivity=unchecked

release: setup
	$(SWIFT) build -c release $(SPEED_FLAGS)

# A fully static wick for scratch images (docs/containers.md): glibc linked in, no libsystemd.
# Linked by lld in the order of tools/wick.order (the functions start-up and the connection path
# run, side by side instead of across 12 MB of code) with the compiler's unnamed helpers
# (key-path accessors) beside them (tools/local-text.ld): 3.4 MB less resident memory
# (docs/performance.md "Footprint"). `make order-file` rewrites the order after code changes.
STATIC_FLAGS := $(SPEED_FLAGS) -Xswiftc -static-executable -Xswiftc -Xfrontend -Xswiftc -function-sections \
	-Xswiftc -use-ld=lld -Xlinker --symbol-ordering-file=$(abspath tools/wick.order) \
	-Xlinker --no-warn-symbol-ordering -Xlinker -T -Xlinker $(abspath tools/local-text.ld)
static: setup
	rm -f .build-static/release/wick  # relinked every time: SwiftPM does not see the order file
	$(SWIFT) build -c release --product wick $(STATIC_FLAGS) --scratch-path .build-static
	tools/order-file.sh --check .build-static/release/wick tools/wick.order
	strip .build-static/release/wick
	@ls -l .build-static/release/wick

# Rewrites tools/wick.order from callgrind's list of what the static daemon runs (valgrind).
order-file: setup
	$(SWIFT) build -c release --product wick $(STATIC_FLAGS) --scratch-path .build-static
	tools/order-file.sh .build-static/release/wick tools/wick.order

# The OCI image (Containerfile): static wick as PID 1, the systemctl/journalctl/systemd-analyze
# names, units/, a static busybox as /bin/sh. podman or buildah when installed; otherwise the same
# files as an OCI layout written by tools/oci-image.py. Output: .build/image/wick.tar (oci-archive).
image: static
	rm -rf .build/image && mkdir -p .build/image/links .build/image/etc .build/image/rootfs
	for name in systemctl journalctl systemd-analyze; do ln -s wick .build/image/links/$$name; done
	cp /bin/busybox .build/image/busybox
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' > .build/image/etc/passwd
	printf 'root:x:0:\nnogroup:x:65534:\n' > .build/image/etc/group
	if command -v podman >/dev/null; then \
	  podman build -t wick:latest -f Containerfile . && podman save --format oci-archive -o .build/image/wick.tar wick:latest; \
	elif command -v buildah >/dev/null; then \
	  buildah bud -t wick:latest -f Containerfile . && buildah push wick:latest oci-archive:.build/image/wick.tar:wick:latest; \
	else \
	  echo "no podman or buildah: writing the Containerfile's files as an OCI layout"; \
	  cd .build/image/rootfs && mkdir -p usr/bin bin etc/wick proc dev run tmp && \
	  cp ../../../.build-static/release/wick usr/bin/wick && cp -P ../links/* usr/bin/ && cp ../busybox bin/sh && \
	  cp -R ../../../units etc/wick/units && cp ../etc/passwd ../etc/group etc/ && cd ../../.. && \
	  python3 tools/oci-image.py .build/image/wick.tar .build/image/rootfs; \
	fi

# The binary, the systemctl/journalctl/systemd-analyze links, shell completions and man pages
# (generated from the argument parser) under DESTDIR/PREFIX.
install: release
	install -D -m 0755 $(WICK) $(DESTDIR)$(PREFIX)/bin/wick
	for name in systemctl journalctl systemd-analyze; do ln -sf wick $(DESTDIR)$(PREFIX)/bin/$$name; done
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d $(DESTDIR)$(PREFIX)/share/man/man1
	$(WICK) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/wick
	$(WICK) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_wick
	$(WICK) --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/wick.fish
	$(SWIFT) package --allow-writing-to-directory $(DESTDIR)$(PREFIX)/share/man/man1 generate-manual --multi-page \
	  --output-directory $(DESTDIR)$(PREFIX)/share/man/man1 >/dev/null
	@find $(DESTDIR)$(PREFIX) -type f -o -type l | sort

# Runs the daemon in the foreground on the example units, with a local runtime directory (no root
# needed). Ctrl-C stops it cleanly.
run: release
	@mkdir -p run
	$(WICK) verify units/
	@echo "try: curl http://127.0.0.1:8080/   (Accept=no, exits after 10 s idle)"
	@echo "     python3 -c 'import socket; print(socket.create_connection((\"127.0.0.1\", 8081)).recv(200).decode())'   (Accept=yes)"
	@echo "     WICK_CONTROL=run/wick/control $(WICK) status   (and list-sockets, logs -f, ...)"
	$(WICK) daemon --units units --runtime-dir $(CURDIR)/run

# A real Debian package that ships a socket unit, unpacked by the Dockerfile-style test (issue 15).
TEST_DEBS := .build/debs/micro-httpd.deb
$(TEST_DEBS):
	mkdir -p .build/debs && cd .build/debs && rm -f micro-httpd_*.deb && apt-get download micro-httpd 2>/dev/null && mv micro-httpd_*.deb micro-httpd.deb

test: setup $(TEST_DEBS)
	Tests/scripts/no-traps-selftest.sh
	Tests/scripts/no-traps.sh
	$(SWIFT) build
	$(MAKE) image
	$(SWIFT) test
	for target in unit-file control-request notify environment-file command-line; do \
	  .build/debug/wick-fuzz $$target Tests/fuzz/seeds/$$target || exit 1; done
	$(MAKE) fuzz FUZZ_SECONDS=10
	$(MAKE) static
	Tests/scripts/static-check.sh .build-static/release/wick

# libFuzzer build of wick-fuzz (docs/reliability.md), in its own build folder.
fuzz-build: setup
	$(SWIFT) build --product wick-fuzz --sanitize=fuzzer --scratch-path .build-fuzz -Xswiftc -D -Xswiftc WICK_LIBFUZZER

# Every fuzz target for FUZZ_SECONDS each (5 minutes by default; make test runs 10 s each).
FUZZ_SECONDS ?= 300
fuzz: fuzz-build
	Tests/scripts/fuzz.sh $(FUZZ_SECONDS)

# AddressSanitizer over the unit and end-to-end tests (the daemon the tests start is the
# instrumented build), UndefinedBehaviorSanitizer on the C spawn path (trapping: Swift has no UBSan
# on Linux, and checks overflow and bounds itself). One thread in wick: no TSan target.
test-asan: setup
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --sanitize=address -Xcc -fsanitize=undefined -Xcc -fsanitize-trap=undefined --scratch-path .build-asan

# 1,000,000 Accept=yes connections and a 10-minute crash loop, RSS and fds every minute.
soak: release
	Tests/scripts/soak.sh

# wick next to a bare C activator (the floor) and its peers (../shared/bench, run from a copy):
# the static binary, interleaved repeats, a markdown table on stdout (docs/performance.md).
# BENCH_ARGS overrides the run (default: every phase, 3 repeats); the peers are installed by the
# harness's setup.sh (as root). The copy and what the harness leaves in TMPDIR are removed after.
BENCH ?= $(abspath ../shared/bench)
BENCH_ARGS ?= --reps 3
bench: static
	@work=$$(mktemp -d) && trap 'rm -rf "$$work"' EXIT && mkdir $$work/tmp && cp -r $(BENCH) $$work/bench && cd $$work/bench && \
	  { [ "$$(id -u)" != 0 ] || ./setup.sh >$$work/setup.log 2>&1 || { cat $$work/setup.log; exit 1; }; } && \
	  cp floor/floor.c floor/floor-systemd.c && git apply $(CURDIR)/bench/floor-systemd.patch && mkdir -p bin && \
	  cc -O2 -Wall -DHELD=1 -o bin/floor-held floor/floor-systemd.c && cc -O2 -Wall -DHELD=1 -DSYSTEMD_STEPS=1 -o bin/floor-sd floor/floor-systemd.c && \
	  cp $(CURDIR)/bench/floor-systemd.sh . && sed -i '/^name=\$${1:?usage/i . "$$HERE/floor-systemd.sh"' adapters.sh && \
	  TMPDIR=$$work/tmp WICK=$(abspath .build-static/release/wick) ./run.sh --activators floor,floor-held,floor-sd,wick,wick-act,sdact,xinetd,tcpserver \
	    $(BENCH_ARGS) --out $$work/results.md >&2 && cat $$work/results.md

# What the Accept=yes c=1 figure is made of: the floor, floor-sd, floor-sd with a manager's CPU
# placed on and off the client's path (bench/floor-spin.patch), and the wick daemon, interleaved
# (docs/performance.md, fourteenth session). ROUNDS=, CONNECTIONS=, SPIN_CLONE=, SPIN_CLOSE=.
bench-anatomy: static
	bench/c1-anatomy.sh .build-static/release/wick $(BENCH)

# Parses the Debian corpus repeatedly and prints unit files per second (release build).
bench-parse: setup
	$(SWIFT) build -c release --product wick-parse-bench
	bench/parse.sh $(CORPUS)

# Regenerates docs/corpus-warnings.txt after a deliberate change in coverage.
corpus-warnings: build
	bench/corpus-warnings.sh $(CORPUS) > docs/corpus-warnings.txt

clean:
	rm -rf .build
