#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the reference exporter and importer for a kernel flavour
# (KERNEL_FLAVOUR=NAME reference-kernel/build.sh), out of this directory's
# sources, into the flavour's artifact: reference-kernel/out/reference-NAME/
# modules/.  A module built for the base kernel does not load into a
# flavour (its vermagic differs) and must not: the debug flavour's KASAN
# instruments every object.  Rebuilt only when the sources change.  The MODEL
# cases and the fuzzer load them from $PFN_REF_MODULES.
#
# Usage: build-flavour.sh NAME   (prints MODULES_DIR=<dir> last)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "modules: error: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: build-flavour.sh FLAVOUR"
art=$here/../out/reference-$1
[ -f "$art/build.dir" ] || die "no kernel for flavour '$1' in $art: run KERNEL_FLAVOUR=$1 reference-kernel/build.sh first"
out=$(readlink -f "$art")/modules
stamp=$(cat "$here"/Kbuild "$here"/*.c "$here"/*.h | sha256sum | cut -c1-16)
if [ "$(cat "$out/.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$out" && mkdir -p "$out"
	cp "$here"/Kbuild "$here"/*.c "$here"/*.h "$out"/
	echo "  MODULES reference-kernel/modules for flavour $1" >&2
	make -s -C "$(cat "$art/build.dir")" M="$out" modules >&2 ||
		die "building the reference modules for flavour $1 failed"
	echo "$stamp" >"$out/.stamp"
fi
echo "MODULES_DIR=$out"
