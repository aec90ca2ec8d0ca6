/*
 * cmdline.c — the kernel command line of docs/kernel-interface.md §1:
 *
 *     [BOOTPATH] [KEY=VALUE ...] -- [ARG ...]
 *
 * Tokens are separated by blanks.  Inside a token a backslash escapes the
 * next byte, \xHH is the byte HH, and double quotes group bytes, blanks
 * included.  Quoting only decides a token's bytes; what a token is (the
 * separator, an option, an argument) is decided on those bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s is just past a backslash: append the byte it stands for to *dst. */
static const char *
unescape(const char *s, char **dst)
{
	int hi, lo;

	if (s[0] == 'x' && (hi = hex_value(s[1])) >= 0 && (lo = hex_value(s[2])) >= 0) {
		*(*dst)++ = (char)(hi << 4 | lo);
		return s + 3;
	}
	*(*dst)++ = *s;
	return s + 1;
}

/*
 * Decode the next token of *src into *dst, NUL-terminated, advancing both.
 * A token never decodes to more bytes than it has, so dst needs no more
 * room than the line.  Returns NULL when only blanks remain.
 */
static char *
next_token(const char **src, char **dst)
{
	const char *s = *src;
	char *token = *dst, *d = *dst;
	bool quoted = false;

	while (is_blank(*s))
		s++;
	if (!*s)
		return NULL;
	while (*s && (quoted || !is_blank(*s))) {
		if (*s == '"') {
			quoted = !quoted;
			s++;
		} else if (*s == '\\' && s[1]) {
			s = unescape(s + 1, &d);
		} else {
			*d++ = *s++;
		}
	}
	*d++ = '\0';
	*src = s;
	*dst = d;
	return token;
}

/*
 * Options are the tokens with '=' before "--".  Arguments are the tokens
 * after "--"; without "--", the tokens after the first that have no '='.
 * The first token, when it has no '=', is the boot loader's path to the
 * image; with "--" present any other token before it without '=' is
 * ignored too (a boot path with blanks in it, say).
 */
int
pb_cmdline_split(const char *line, struct pb_cmdline *out)
{
	size_t len = line ? strlen(line) : 0, max = len / 2 + 2;
	char *bytes = malloc(len + 1), *dst = bytes, *token;
	bool separated = false, first = true;

	memset(out, 0, sizeof *out);
	out->options = malloc(max * sizeof *out->options);
	out->args = malloc(max * sizeof *out->args);
	if (!bytes || !out->options || !out->args)
		return -1;
	while (line && (token = next_token(&line, &dst))) {
		if (separated) {
			out->args[out->nargs++] = token;
		} else if (!strcmp(token, "--")) {
			separated = true;
			out->nargs = 0;
		} else if (strchr(token, '=')) {
			out->options[out->noptions++] = token;
		} else if (!first) {
			out->args[out->nargs++] = token;
		}
		first = false;
	}
	out->args[out->nargs] = NULL;
	return 0;
}
