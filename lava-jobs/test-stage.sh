#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test-stage.sh - the "lava" stage of `make test` (suite/host/test.sh): the
# QEMU job with this run's kernel and suite builds (never an older one),
# then the bare-metal jobs' validation, each as its own KTAP stream, in
# $PFN_TEST_LOGS/lava and $PFN_TEST_LOGS/lava-baremetal.
set -uo pipefail
cd "$(dirname "$0")/.."
logs=${PFN_TEST_LOGS:?run by suite/host/test.sh}
for s in suite-build kernel; do
	read -r st _ <"$logs/$s.status" 2>/dev/null || st="did not run"
	if [ "$st" != 0 ]; then
		echo "lava: stage $s ${st/#[0-9]*/failed (exit $st)} this run: the QEMU job does not run (with PFN_TEST_STAGES, select suite-build,kernel,lava)" >&2
		exit 1
	fi
done
kdir=$(sed -n 's/^KERNEL_DIR=//p' "$logs/kernel.log" | tail -n 1)
echo "# running lava-jobs/run-qemu.sh"
lava-jobs/run-qemu.sh --kernel "$kdir/bzImage" --out "$logs/lava"
q=$?
echo "# running lava-jobs/validate-baremetal.sh"
lava-jobs/validate-baremetal.sh --out "$logs/lava-baremetal"
b=$?
[ "$q" -eq 0 ] && [ "$b" -eq 0 ]
