/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PFNSUITE_CLI_H
#define PFNSUITE_CLI_H

/* Each subcommand: argv[0] is the subcommand name; returns an exit status. */
int cmd_probe(int argc, char **argv);
int cmd_dma(int argc, char **argv);
int cmd_conform(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif /* PFNSUITE_CLI_H */
