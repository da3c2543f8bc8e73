#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Refresh the vendored, sanitized kernel UAPI headers the suite builds
# against (the build host's linux-libc-dev may predate dma-buf export and
# IOMMU_IOAS_MAP_FILE).  Usage: update.sh KERNEL_TREE
set -euo pipefail
tree=${1:?usage: update.sh KERNEL_TREE}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s -C "$tree" O="$tmp/obj" ARCH=x86_64 headers_install INSTALL_HDR_PATH="$tmp/hdr"
for h in linux/vfio.h linux/iommufd.h linux/kvm.h linux/stddef.h linux/const.h asm/kvm.h; do
	cp "$tmp/hdr/include/$h" "$here/$h"
done
make -s -C "$tree" kernelversion >"$here/VERSION"
echo "updated from $(cat "$here/VERSION")"
