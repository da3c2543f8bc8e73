#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# In-VM DMA proof (run by the VM runner inside the emulated target): the
# DMA engine (NVMe, or edu) copies between host buffers, then DMAs into the
# target BAR through a dma-buf mapped in iommufd; after the BAR is revoked
# (PCI memory enable cleared) a DMA through the old mapping must not land,
# judged byte for byte against a canary with decoding on again, bracketed by
# DMAs through valid mappings that must land.
# Prints pfnsuite's KTAP; exits with its status.
#
#   suite/runner/run-vm.sh --results DIR -- suite/tests/vm/dma.sh
set -uo pipefail
cd "$(dirname "$0")/../../.."
. suite/guest/lib.sh

# The devices pfnsuite conform would pick: the DMA engine and the target BAR.
devs=$(suite/build/pfnsuite conform --dry-run) || exit
dma_dev=$(awk '$1 == "dma" { print $2 }' <<<"$devs")
target=$(awk '$1 == "target" { print $2 }' <<<"$devs")
bar=$(awk '$1 == "target" { print $3 }' <<<"$devs")

if [ -z "$dma_dev" ]; then
	echo "KTAP version 1"
	echo "1..1"
	echo "ok 1 dma # SKIP no vfio-pci device has a built-in DMA driver (nvme, edu)"
	exit 0
fi
echo "dma: engine $dma_dev, target ${target:-none} ${bar:-}" >&2
exec suite/build/pfnsuite dma --device "$dma_dev" ${target:+--target "$target" --bar "${bar#BAR}"} "$@"
