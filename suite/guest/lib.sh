# SPDX-License-Identifier: GPL-2.0-only
# Shell helpers for scripts that run inside the guest (sourced, not run).

# pci_find VENDOR DEVICE: print the BDFs of matching PCI functions.
pci_find() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = "0x$1" ] && [ "$(cat "$d/device")" = "0x$2" ] &&
			basename "$d"
	done
	return 0
}

# pci_driver BDF: the bound driver's name, or "none".
pci_driver() {
	local l=/sys/bus/pci/devices/$1/driver
	if [ -L "$l" ]; then basename "$(readlink "$l")"; else echo none; fi
}

# pci_group BDF: the IOMMU group number, or "none".
pci_group() {
	local l=/sys/bus/pci/devices/$1/iommu_group
	if [ -L "$l" ]; then basename "$(readlink "$l")"; else echo none; fi
}

# KTAP writer: ktap_begin; ktap_result ok|fail|skip NAME [REASON]; ktap_end.
ktap_begin() {
	KTAP_N=0 KTAP_PASS=0 KTAP_FAIL=0 KTAP_SKIP=0
	echo "KTAP version 1"
}
ktap_result() {
	local r=$1 name=$2 reason=${3:-}
	reason=${reason//$'\n'/ }
	reason=${reason//#/ }
	KTAP_N=$((KTAP_N + 1))
	case $r in
	ok) KTAP_PASS=$((KTAP_PASS + 1)); echo "ok $KTAP_N $name" ;;
	skip) KTAP_SKIP=$((KTAP_SKIP + 1)); echo "ok $KTAP_N $name # SKIP ${reason:-no reason given}" ;;
	*) KTAP_FAIL=$((KTAP_FAIL + 1)); echo "not ok $KTAP_N $name${reason:+ # $reason}" ;;
	esac
}
# ktap_check NAME REASON-IF-FALSE COMMAND...: ok when COMMAND succeeds.
ktap_check() {
	local name=$1 reason=$2
	shift 2
	if "$@"; then ktap_result ok "$name"; else ktap_result fail "$name" "$reason"; fi
}
ktap_end() {
	echo "1..$KTAP_N"
	echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL xfail:0 xpass:0 skip:$KTAP_SKIP error:0"
	[ "$KTAP_FAIL" -eq 0 ]
}
