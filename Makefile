# SPDX-License-Identifier: GPL-2.0-only
#
# dma-buf PFN suite: reference kernel, conformance suite and benchmarks.
#
#   make run     install what is missing, build the kernel and the suite, boot
#                the emulated target, run the suite, write results/runs/<ts>/
#   make test    host unit tests (ASan/UBSan), then the in-VM smoke, DMA,
#                benchmark and conformance tests
#   make test-debug  the debug kernel flavour (lockdep, KASAN, KFENCE,
#                kmemleak, ...): conformance, KVM revoke, negative control,
#                fuzzer, soak; any splat or leak fails
#   make kernel  build (or find cached) the reference kernel only
#   make kernel-check  checkpatch --strict and build every prefix of the series
#   make lava    the QEMU job of lava-jobs/ through LAVA's lava-run (no server),
#                its results checked against the suite's; the bare-metal jobs
#                validated with lava-run --validate
#
# Variables: KERNEL_SRC=DIR|TARBALL (build another tree), KERNEL_SERIES=none
# (stock kernel, no patches), PFN_CACHE=DIR (build cache, default ~/.cache/pfnsuite).

SHELL := /bin/bash

.PHONY: all deps kernel kernel-check suite run test test-debug unit-test lava clean help

all: suite

help:
	@sed -n '3,17p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@suite/host/install-deps.sh

kernel: deps
	@reference-kernel/build.sh >/dev/null

# The reference series: checkpatch --strict and a build of every prefix.
kernel-check: deps
	@reference-kernel/check-series.sh

suite: deps
	@$(MAKE) --no-print-directory -C suite
	@$(MAKE) --no-print-directory -C workloads/kvm
	@$(MAKE) --no-print-directory -C workloads/dpdk
	@$(MAKE) --no-print-directory -C workloads/fio

unit-test: deps
	@$(MAKE) --no-print-directory -C suite unit-test

run: deps kernel suite
	@suite/host/run.sh

test: deps
	@suite/host/test.sh

# The stages whose paths race and free (fio: revoke under I/O), under
# lockdep, KASAN, KFENCE, kmemleak and the hung-task and RCU-stall detectors
# (reference-kernel/config/flavours/debug.config); kernel health after each
# stage names the case.
DEBUG_STAGES := kunit,kvm-payload,kvm-revoke,fio,negative-control,fuzz,soak,conform,kmemleak,results-schema
test-debug: deps
	@PFN_KERNEL_FLAVOUR=debug PFN_TEST_STAGES=$(DEBUG_STAGES) PFN_TEST_VM_TIMEOUT=$${PFN_TEST_VM_TIMEOUT:-2400} suite/host/test.sh

lava: deps kernel suite
	@lava-jobs/run-qemu.sh; q=$$?; lava-jobs/validate-baremetal.sh; b=$$?; [ $$q -eq 0 ] && [ $$b -eq 0 ]

clean:
	@$(MAKE) --no-print-directory -C suite clean
	rm -rf reference-kernel/out
