/*
 * cmdline.c — the command line of docs/kernel-interface.md §1:
 *   [BOOTPATH] [KEY=VALUE ...] -- [ARG ...]
 * with backslash escapes, \xHH bytes and double quotes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

static int
hexval(int c)
{
	return isdigit(c) ? c - '0' : (c | 32) - 'a' + 10;
}

/* Decode one token starting at *p into out; returns its length, -1 at end. */
static int
next_token(const char **p, char *out)
{
	const char *s = *p;
	int n = 0, quoted = 0;

	while (*s == ' ')
		s++;
	if (!*s)
		return -1;
	while (*s && (quoted || *s != ' ')) {
		if (*s == '"') {
			quoted = !quoted;
			s++;
		} else if (*s == '\\' && s[1] == 'x' && isxdigit(s[2]) && isxdigit(s[3])) {
			out[n++] = (char)(hexval(s[2]) * 16 + hexval(s[3]));
			s += 4;
		} else if (*s == '\\' && s[1]) {
			out[n++] = s[1];
			s += 2;
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = '\0';
	*p = s;
	return n;
}

int
cmdline_parse(const char *cmdline, char ***argvp)
{
	size_t len = cmdline ? strlen(cmdline) : 0;
	char *tok = malloc(len + 1), **argv = malloc((len / 2 + 3) * sizeof *argv);
	const char *p = cmdline ? cmdline : "", *argv0 = "app";
	int argc = 1, index = 0, separator = 0;

	if (!tok || !argv)
		return 0;
	/* is there a separator at all? */
	for (const char *q = p; next_token(&q, tok) >= 0;)
		if (!strcmp(tok, "--")) {
			separator = 1;
			break;
		}
	for (int after = 0; next_token(&p, tok) >= 0; index++) {
		if (after) {
			argv[argc++] = strdup(tok);
		} else if (!strcmp(tok, "--")) {
			after = 1;
		} else if (strchr(tok, '=')) {
			if (!strncmp(tok, "argv0=", 6))
				argv0 = strdup(tok + 6);
			DEBUG_LOG("option %s", tok);
		} else if (index > 0 && !separator) {
			argv[argc++] = strdup(tok);
		}
	}
	argv[0] = (char *)argv0;
	argv[argc] = NULL;
	free(tok);
	*argvp = argv;
	return argc;
}
