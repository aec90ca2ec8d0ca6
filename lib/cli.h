/*
 * cli — command-line options declared once, for every tool and subcommand.
 *
 * Owns: turning one table of options into getopt_long's arguments and into
 * the --help text (and, through `TOOL --list-options CMD`, into bash
 * completion), plus the usage-error convention: exit status 2 and a hint to
 * run --help.  Does not own what the options mean.
 *
 *	static const struct cli_opt opts[] = {
 *		{ 'k', "key", "KEY", "sign with this private key" },
 *		{ 'h', "help", NULL, "show this help" },
 *		{ 0 }
 *	};
 */
#ifndef DIVER_CLI_H
#define DIVER_CLI_H

#include <stdio.h>

struct cli_opt {
	int id;                 /* short option character, or a value > 255 */
	const char *name;       /* long option name */
	const char *arg;        /* argument name, NULL when it takes none;
				   "[=NAME]" for an optional one (--opt=VALUE) */
	const char *help;
};

struct cli_cmd {
	const char *usage;      /* "catalog-gen [OPTIONS] KERNELS_DIR" */
	const char *summary;    /* one paragraph, shown under the usage */
	const struct cli_opt *opts;
};

/*
 * Next option, as getopt_long: its id, -1 when done, '?' on a bad option
 * (the message is already printed by getopt).  *arg receives its argument.
 */
int cli_next(const struct cli_cmd *cmd, int argc, char **argv, char **arg);
void cli_help(FILE *f, const struct cli_cmd *cmd);
/* One option name per line (--name and -c), for shell completion. */
void cli_list_options(FILE *f, const struct cli_cmd *cmd);
/*
 * Split argv at the first "--": returns the count before it (what getopt
 * should see); *rest and *nrest receive the words after it (never options).
 */
int cli_split_dashdash(int argc, char **argv, char ***rest, int *nrest);

/* A tool's command table: { "pull", cmd_pull, "one-line help" }, then { 0 }. */
struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

struct cli_tool {
	const char *prog;                       /* "diver" */
	const char *version;                    /* printed by --version */
	const char *summary;                    /* one line under the usage */
	const char *epilog;                     /* after the command list, or NULL */
	const struct cli_command *commands;
};

/*
 * Run the command argv[1] names with argv + 1, or handle --help, --version
 * and --list-commands (for completion).  No command is a usage error.
 */
int cli_dispatch(const struct cli_tool *t, int argc, char **argv);

/* Print "PROG: MSG" and "try 'PROG --help'" to stderr; returns 2. */
int cli_usage_error(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
