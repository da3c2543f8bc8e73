#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# In-VM stage: the benchmark sees a slower kernel, by the amount predicted,
# on the path that was slowed and on no other.  The reference series' debug
# delays (iommufd.dmabuf_debug_map_delay_us in the dma-buf map path,
# vfio_iommu_type1.debug_map_delay_us in type1's) are set in turn, one boot,
# and results/tools/regression-check compares each run's iommu_map medians
# with the baseline's (see its --help for the prediction and tolerances).
# Setting a delay taints the kernel (U) on purpose: run this stage before
# any stage whose taint it would hide.  On a kernel without the delays
# (stock 7.3) the stage is one SKIP.  KTAP on stdout; exit 1 on a failure.
#
# Environment: PFN_REGRESSION_DELAY_US (default 20000: the other-path check
# needs its bound below N/2, and the noisiest benchmark under TCG, a 2M map
# at 4K alignment, had a 4-sigma bound of 4.6 ms in one make test),
# PFN_REGRESSION_REPETITIONS (default 7).
set -uo pipefail
cd "$(dirname "$0")/../../.."
out=${PFN_RESULTS:?PFN_RESULTS is not set: run this through suite/runner/run-vm.sh}
exec results/tools/regression-check --results "$out" \
	--delay-us "${PFN_REGRESSION_DELAY_US:-20000}" \
	--repetitions "${PFN_REGRESSION_REPETITIONS:-7}"
