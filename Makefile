# SPDX-License-Identifier: GPL-2.0-only
#
# dma-buf PFN suite: reference kernel, conformance suite and benchmarks.
#
#   make run     install what is missing, build the kernel and the suite, boot
#                the emulated target, run the suite, write results/runs/<ts>/
#   make test    host unit tests (ASan/UBSan), then the in-VM smoke, DMA,
#                benchmark and conformance tests
#   make kernel  build (or find cached) the reference kernel only
#   make kernel-check  checkpatch --strict and build every prefix of the series
#
# Variables: KERNEL_SRC=DIR|TARBALL (build another tree), KERNEL_SERIES=none
# (stock kernel, no patches), PFN_CACHE=DIR (build cache, default ~/.cache/pfnsuite).

SHELL := /bin/bash

.PHONY: all deps kernel kernel-check suite run test unit-test clean help

all: suite

help:
	@sed -n '3,14p' Makefile | sed 's/^# \{0,1\}//'

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
	@$(MAKE) --no-print-directory -C workloads/fio

unit-test: deps
	@$(MAKE) --no-print-directory -C suite unit-test

run: deps kernel suite
	@suite/host/run.sh

test: deps
	@suite/host/test.sh

clean:
	@$(MAKE) --no-print-directory -C suite clean
	rm -rf reference-kernel/out
