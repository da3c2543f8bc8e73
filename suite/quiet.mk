# SPDX-License-Identifier: GPL-2.0-only
#
# kbuild-style short build lines, shared by suite/Makefile and
# workloads/kvm/Makefile:  $(call say,CC,$@)  prints "  CC      lib/dma.o"
# (the target without $(OUT)/, after $(SAY_PREFIX)); $(Q) hides the command.
# V=1 prints the commands instead; make -s prints neither.
ifeq ($(V),1)
Q :=
say = @:
else ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
Q := @
say = @:
else
Q := @
say = @printf '  %-7s %s%s\n' '$(1)' '$(SAY_PREFIX)' '$(patsubst $(OUT)/%,%,$(2))'
endif
