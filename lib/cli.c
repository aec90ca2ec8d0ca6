#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

int
cli_next(const struct cli_cmd *cmd, int argc, char **argv, char **arg)
{
	struct option longopts[64];
	char shortopts[160] = "";
	size_t n = 0, s = 0;
	int c;

	for (const struct cli_opt *o = cmd->opts; o->name && n < 63; o++, n++) {
		/* an argument named "[=PORT]" is optional: --gdb or --gdb=1234 */
		longopts[n] = (struct option){ o->name,
			!o->arg ? no_argument : o->arg[0] == '[' ? optional_argument :
			required_argument, NULL, o->id };
		if (o->id > 0 && o->id < 256 && s + 3 < sizeof shortopts) {
			shortopts[s++] = (char)o->id;
			if (o->arg)
				shortopts[s++] = ':';
		}
	}
	shortopts[s] = '\0';
	memset(&longopts[n], 0, sizeof longopts[n]);
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	*arg = optarg;
	return c;
}

void
cli_help(FILE *f, const struct cli_cmd *cmd)
{
	fprintf(f, "usage: %s\n", cmd->usage);
	if (cmd->summary)
		fprintf(f, "\n%s\n", cmd->summary);
	if (cmd->opts[0].name)
		fprintf(f, "\noptions:\n");
	for (const struct cli_opt *o = cmd->opts; o->name; o++) {
		struct strbuf sb = STRBUF_INIT;
		if (!o->help)
			continue;       /* internal options (--list-options) */
		if (o->id > 0 && o->id < 256)
			strbuf_addf(&sb, "-%c, ", o->id);
		else
			strbuf_addstr(&sb, "    ");
		strbuf_addf(&sb, "--%s", o->name);
		if (o->arg)
			strbuf_addf(&sb, o->arg[0] == '[' ? "%s" : " %s", o->arg);
		if (sb.len <= 26)
			fprintf(f, "  %-26s %s\n", sb.buf, o->help);
		else
			fprintf(f, "  %s\n  %-26s %s\n", sb.buf, "", o->help);
		strbuf_release(&sb);
	}
}

void
cli_list_options(FILE *f, const struct cli_cmd *cmd)
{
	for (const struct cli_opt *o = cmd->opts; o->name; o++)
		fprintf(f, "--%s\n", o->name);
}

int
cli_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry '%s --help'\n", prog);
	return 2;
}

static void
tool_usage(FILE *f, const struct cli_tool *t)
{
	fprintf(f, "usage: %s COMMAND [OPTIONS] ...\n\n%s\n\ncommands:\n", t->prog,
		t->summary);
	for (const struct cli_command *c = t->commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->help);
	fprintf(f, "\nRun '%s COMMAND --help' for a command's options.\n", t->prog);
	if (t->epilog)
		fprintf(f, "%s", t->epilog);
}

int
cli_dispatch(const struct cli_tool *t, int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		tool_usage(stderr, t);
		return 2;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		tool_usage(stdout, t);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("%s %s\n", t->prog, t->version);
		return 0;
	}
	if (!strcmp(cmd, "--list-commands")) {
		for (const struct cli_command *c = t->commands; c->name; c++)
			puts(c->name);
		return 0;
	}
	for (const struct cli_command *c = t->commands; c->name; c++)
		if (!strcmp(cmd, c->name))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\ntry '%s --help'\n", t->prog, cmd,
		t->prog);
	return 2;
}

int
cli_split_dashdash(int argc, char **argv, char ***rest, int *nrest)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			*rest = argv + i + 1;
			*nrest = argc - i - 1;
			return i;
		}
	}
	*rest = argv + argc;
	*nrest = 0;
	return argc;
}
