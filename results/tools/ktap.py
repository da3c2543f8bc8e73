# SPDX-License-Identifier: GPL-2.0-only
"""KTAP output for the results tools' host tests."""


class Ktap:
    def __init__(self):
        self.results = []

    def check(self, name, ok, why="", skip=None):
        self.results.append((name, ok, why, skip))

    def finish(self):
        print("KTAP version 1")
        print("1..%d" % len(self.results))
        fails = skips = 0
        for i, (name, ok, why, skip) in enumerate(self.results, 1):
            if skip:
                skips += 1
                print("ok %d %s # SKIP %s" % (i, name, skip))
            elif ok:
                print("ok %d %s" % (i, name))
            else:
                fails += 1
                for line in why.splitlines() or [""]:
                    print("# %s: %s" % (name, line))
                print("not ok %d %s" % (i, name))
        print("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0" % (
            len(self.results) - fails - skips, fails, skips))
        return 1 if fails else 0
