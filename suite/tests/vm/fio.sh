#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# In-VM fio stage: the quick profile of workloads/fio (the pfn engine on the
# vfio-bound NVMe controller with its buffers in host memory by address and
# by file, a udmabuf, the ivshmem BAR by VMA and by dma-buf and the CMB both
# ways; io_uring, libaio and io_uring_cmd on the kernel-driven controller;
# revoke under I/O on the dma-buf and the type1 path).  Prints KTAP (one
# result per configuration and revoke check, the table as diagnostics);
# writes $PFN_RESULTS/fio.json and $PFN_RESULTS/fio/.
#
#   suite/runner/run-vm.sh --results DIR -- suite/tests/vm/fio.sh
set -uo pipefail
cd "$(dirname "$0")/../../.."
exec workloads/fio/run.sh --quick --ktap "$@"
