# SPDX-License-Identifier: GPL-2.0
#
# cr build driver: fetch Debian's Linux 6.12 source, overlay our tree, build
# a lean kernel, boot it under QEMU (TCG) and run the kselftests inside.
#
#   make run      the demo in the VM
#   make test     the whole suite in the VM; ends with "N passed, N failed"
#   make kernel   build/bzImage
#   make tools    build/ckpt, build/rstr, build/crinspect and the selftests (static)
#   make vm       a shell in the VM; make vm CMD='...' runs one command
#   make docs     check Documentation/checkpoint and the man pages
#   make check    checkpatch --strict, kernel-doc and sparse on our code, and
#                 the format's drift check (harness/sync-check.sh)
#   make patches  the tree as a patch series in build/patches (check-patches
#                 applies and builds it patch by patch; FULL=1: the whole
#                 kernel after every patch, about 80 minutes)
#   make fuzz     the hostile-image fuzzer, FUZZ_CASES per image
#
# DEBUG=1 selects the debug configuration in its own build directory;
# BENCH=1 (make bench) the test configuration with what CRIU needs.

SHELL		:= /bin/bash
TOP		:= $(CURDIR)
B		:= $(TOP)/build
KSRC		:= $(B)/linux
KTAR		:= /usr/src/linux-source-6.12.tar.xz
JOBS		?= $(shell echo $$(($$(nproc) + 1)))

ifeq ($(DEBUG),1)
KOBJ		:= $(B)/kobj-debug
OUT		:= $(B)/debug
else ifeq ($(BENCH),1)
KOBJ		:= $(B)/kobj-bench
OUT		:= $(B)/bench
else
KOBJ		:= $(B)/kobj
OUT		:= $(B)
endif

STDIR		:= tools/testing/selftests/checkpoint
CFG_FRAGS	:= harness/base.config $(STDIR)/config $(if $(filter 1,$(DEBUG)),harness/debug.config) \
		   $(if $(filter 1,$(BENCH)),harness/bench.config)

export CCACHE_BASEDIR := $(TOP)
KMAKE		:= $(MAKE) -C $(KSRC) O=$(KOBJ) ARCH=x86_64 CC="ccache gcc" -j$(JOBS)

.PHONY: all deps source kernel headers tools initramfs vm test run bench fuzz docs check patches check-patches clean distclean
all: kernel tools

# --- set-up ----------------------------------------------------------------
deps: $(B)/.deps
$(B)/.deps: harness/deps.sh
	@mkdir -p $(B)
	harness/deps.sh
	@touch $@

source: $(KSRC)/.cr-unpacked
$(KSRC)/.cr-unpacked: | $(B)/.deps
	@echo "source: unpacking $(KTAR)"
	rm -rf $(KSRC) $(B)/linux-source-6.12
	tar -C $(B) -xf $(KTAR)
	mv $(B)/linux-source-6.12 $(KSRC)
	@touch $@

# Patches and the overlay are re-checked on every run: both are cheap and
# touch only what changed.
prepare: $(B)/.deps source
	@harness/apply-patches.sh $(KSRC)
	@harness/overlay.sh $(KSRC)
.PHONY: prepare

$(KOBJ)/.config: $(CFG_FRAGS) | prepare
	@mkdir -p $(KOBJ)
	$(KMAKE) -s tinyconfig >/dev/null
	cd $(KSRC) && scripts/kconfig/merge_config.sh -m -O $(KOBJ) $(KOBJ)/.config $(addprefix $(TOP)/,$(CFG_FRAGS)) >/dev/null
	$(KMAKE) -s olddefconfig
	@for f in $(CFG_FRAGS); do grep -h '^CONFIG_.*=[ym]' $$f; done | sort -u | \
	  while read -r l; do grep -qx "$$l" $@ || { echo "config: $$l did not stick"; exit 1; }; done

# --- kernel ----------------------------------------------------------------
kernel: prepare $(KOBJ)/.config
	$(KMAKE) -s bzImage
	@mkdir -p $(OUT)
	cp $(KOBJ)/arch/x86/boot/bzImage $(OUT)/bzImage

headers: prepare $(KOBJ)/.config
	$(KMAKE) -s headers

# --- user space ------------------------------------------------------------
tools: headers
	@mkdir -p $(B)/selftests
	$(MAKE) -s -C $(KSRC)/$(STDIR) OUTPUT=$(B)/selftests \
		KHDR_INCLUDES="-isystem $(KOBJ)/usr/include" LDFLAGS=-static \
		CR_UAPI_HDR=$(KOBJ)/usr/include/linux/checkpoint.h
	cp $(B)/selftests/ckpt $(B)/selftests/rstr $(B)/selftests/crinspect $(B)/

initramfs: tools
	harness/mkinitramfs.sh $(B)/selftests $(B)/initramfs.cpio.gz

# --- the VM ----------------------------------------------------------------
# CMD reaches the script through the environment: any quoting survives.
export CMD
vm: kernel initramfs
	harness/vm.sh $(OUT)/bzImage $(B)/initramfs.cpio.gz $(OUT) "$$CMD"

# Hostile images tried per image in make test; fewer on the debug kernel,
# where a restart is ten times slower.
ifeq ($(DEBUG),1)
TEST_FUZZ_CASES	?= 250
else
TEST_FUZZ_CASES	?= 1000
endif
test: kernel initramfs
	@rc=0; harness/vm.sh $(OUT)/bzImage $(B)/initramfs.cpio.gz $(OUT) \
		"CR_FUZZ_CASES=$(TEST_FUZZ_CASES) /cr/run-tests.sh" || rc=$$?; \
	harness/report.sh $(OUT)/results.log $(OUT)/console.log

run: kernel initramfs
	harness/vm.sh $(OUT)/bzImage $(B)/initramfs.cpio.gz $(OUT) "/cr/demo.sh"

# checkpatch --strict, kernel-doc and sparse on our code (harness/check.sh).
check: kernel
	harness/check.sh $(KSRC) $(KOBJ)

# The tree as an upstream patch series (git format-patch, cover letter) in
# build/patches; check-patches applies it with git am to a fresh unpack and
# builds after every patch (a second kernel tree): each patch's own objects,
# the whole kernel from the enabling patch on; FULL=1 the whole kernel after
# every patch.
patches: $(B)/.deps
	harness/mkpatches.sh $(B)/patches

check-patches: patches
	harness/test-patches.sh $(if $(filter 1,$(FULL)),--full) $(B)/patches

# Documentation/checkpoint and man/: docutils, groff -ww, and their tables
# and synopses against the uapi header, sys.c and the tools.
docs: $(B)/.deps
	harness/docs.sh

# The hostile-image fuzzer, longer than in `make test`; FUZZ_SEED replays.
FUZZ_CASES ?= 20000
FUZZ_SEED ?=
fuzz: kernel initramfs
	@rc=0; harness/vm.sh $(OUT)/bzImage $(B)/initramfs.cpio.gz $(OUT) \
		"CR_FUZZ_CASES=$(FUZZ_CASES) CR_FUZZ_SEED=$(FUZZ_SEED) /cr/run-tests.sh fuzz" || rc=$$?; \
	harness/report.sh $(OUT)/results.log $(OUT)/console.log

# Speed against dd and CRIU on the VM's tmpfs; needs room for 1 GiB twice.
# Sparse memory, 1000 mappings and 10000 fds (--shapes).  And the cost per
# task of a tree of BENCH_TREE processes and of a process of BENCH_THREADS
# threads, next to fork() and pthread_create(); and the image and memory of
# BENCH_COW MiB shared copy-on-write by 4 forked processes.
BENCH_SIZES ?= 4 16 64 256 1024
BENCH_TREE ?= 100
BENCH_THREADS ?= 64
BENCH_COW ?= 256
BENCH_ARGS = --criu --shapes --tree $(BENCH_TREE) --threads $(BENCH_THREADS) \
	     --cow $(BENCH_COW) $(BENCH_SIZES)
# CRIU side by side: Debian's criu, installed here and put in a VM image of
# its own, on a kernel of its own (harness/bench.config); three runs, whose
# medians go to build/bench/bench.md and bench.svg (harness/bench-plot.py).
# One CPU: under TCG a second one (the host's other core) made dd itself
# 1.5-2.2x slower and every figure noisier.
ifeq ($(BENCH),1)
bench: kernel tools
	harness/deps.sh criu
	CR_EXTRA_PROGS=/usr/sbin/criu harness/mkinitramfs.sh $(B)/selftests $(OUT)/initramfs.cpio.gz
	VM_MEM=4G VM_NUMA= VM_SMP=1 harness/vm.sh $(OUT)/bzImage $(OUT)/initramfs.cpio.gz $(OUT) \
		"criu check; for r in 1 2 3; do cr_bench $(BENCH_ARGS); done"
	harness/bench-plot.py $(OUT)/console.log $(OUT)/bench.svg \
		"cr and CRIU 3.17, Linux 6.12 under QEMU TCG, $$(nproc) cores, $$(date +%F)" \
		| tee $(OUT)/bench.md
else
bench:
	$(MAKE) BENCH=1 bench
endif

clean:
	rm -rf $(B)/kobj $(B)/kobj-debug $(B)/kobj-bench $(B)/selftests $(B)/debug $(B)/bench \
		$(B)/bzImage $(B)/ckpt $(B)/rstr $(B)/crinspect $(B)/initramfs.cpio.gz

distclean:
	rm -rf $(B)
