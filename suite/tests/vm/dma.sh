#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# In-VM DMA proof (run by the VM runner inside the emulated target): the
# NVMe controller copies between host buffers, then DMAs into the ivshmem
# BAR through a dma-buf mapped in iommufd, and after the BAR is revoked
# (PCI memory enable cleared) the same DMA must not reach it.
# Prints pfnsuite's KTAP; exits with its status.
#
#   suite/runner/run-vm.sh --results DIR -- suite/tests/vm/dma.sh
set -uo pipefail
cd "$(dirname "$0")/../../.."
. suite/guest/lib.sh

# The first NVMe controller (class 010802) and ivshmem bound to vfio-pci.
nvme=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/class")" = 0x010802 ] && [ "$(pci_driver "${d##*/}")" = vfio-pci ]; then
		nvme=${d##*/}
		break
	fi
done
ivshmem=$(pci_find 1af4 1110 | head -n1)

if [ -z "$nvme" ]; then
	echo "KTAP version 1"
	echo "1..0 # SKIP no NVMe controller bound to vfio-pci"
	exit 0
fi
echo "# dma: nvme $nvme, target ${ivshmem:-none}"
exec suite/build/pfnsuite dma --device "$nvme" ${ivshmem:+--target "$ivshmem" --bar 2} "$@"
