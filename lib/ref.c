#include "ref.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A numeric identifier: digits, no leading zero unless "0". */
static int
parse_number(const char **p, unsigned long *out)
{
	const char *s = *p;
	char *end;

	if (!isdigit((unsigned char)*s) || (s[0] == '0' && isdigit((unsigned char)s[1])))
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno)
		return -1;
	*p = end;
	return 0;
}

/* Dot-separated identifiers of [0-9A-Za-z-]; numeric ones without leading 0. */
static int
identifiers_valid(const char *s, size_t n, bool numeric_rule)
{
	size_t start = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!isalnum((unsigned char)s[i]) && s[i] != '-')
				return -1;
			continue;
		}
		size_t len = i - start;
		bool digits = true;
		if (len == 0)
			return -1;
		for (size_t j = start; j < i; j++)
			digits = digits && isdigit((unsigned char)s[j]);
		if (numeric_rule && digits && len > 1 && s[start] == '0')
			return -1;
		start = i + 1;
	}
	return 0;
}

int
semver_parse(const char *s, struct semver *v)
{
	const char *p = s, *pre, *build;
	size_t prelen;

	memset(v, 0, sizeof *v);
	if (parse_number(&p, &v->major) || *p++ != '.' ||
	    parse_number(&p, &v->minor) || *p++ != '.' ||
	    parse_number(&p, &v->patch))
		return -1;
	build = strchr(p, '+');
	if (*p == '-') {
		pre = p + 1;
		prelen = build ? (size_t)(build - pre) : strlen(pre);
		if (prelen >= sizeof v->pre || identifiers_valid(pre, prelen, true))
			return -1;
		memcpy(v->pre, pre, prelen);
		v->pre[prelen] = '\0';
	} else if (*p != '+' && *p != '\0') {
		return -1;
	}
	if (build && identifiers_valid(build + 1, strlen(build + 1), false))
		return -1;
	return 0;
}

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int
compare_identifier(const char *a, size_t na, const char *b, size_t nb)
{
	bool da = all_digits(a, na), db = all_digits(b, nb);
	int c;

	if (da && db) {
		if (na != nb)
			return na < nb ? -1 : 1;
		c = memcmp(a, b, na);
		return c < 0 ? -1 : c > 0;
	}
	if (da != db)
		return da ? -1 : 1;
	c = memcmp(a, b, na < nb ? na : nb);
	if (c)
		return c < 0 ? -1 : 1;
	return na == nb ? 0 : (na < nb ? -1 : 1);
}

static int
compare_prerelease(const char *a, const char *b)
{
	if (!*a || !*b)
		return !*a && !*b ? 0 : (!*a ? 1 : -1);
	for (;;) {
		size_t na = strcspn(a, "."), nb = strcspn(b, ".");
		int c = compare_identifier(a, na, b, nb);
		if (c)
			return c;
		a += na;
		b += nb;
		if (!*a || !*b)
			return !*a && !*b ? 0 : (!*a ? -1 : 1);
		a++;
		b++;
	}
}

int
semver_cmp(const struct semver *a, const struct semver *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return compare_prerelease(a->pre, b->pre);
}

int
version_cmp(const char *a, const char *b)
{
	struct semver va, vb;
	int oka = semver_parse(a, &va) == 0, okb = semver_parse(b, &vb) == 0;

	if (oka && okb)
		return semver_cmp(&va, &vb);
	if (oka != okb)
		return oka ? 1 : -1;
	return strcmp(a, b);
}

bool
name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > REF_NAME_MAX)
		return false;
	if (!islower((unsigned char)s[0]) && !isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
		    s[i] != '-')
			return false;
	return true;
}

bool
tag_valid(const char *s)
{
	return name_valid(s);
}

static int
copy_part(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int
ref_parse(const char *s, struct ref *r, struct dv_err *e)
{
	const char *at = strchr(s, '@'), *colon = strchr(s, ':');
	size_t namelen;
	struct semver v;

	memset(r, 0, sizeof *r);
	if (colon && at && colon > at)
		return dv_errf(e, "reference '%s': the variant comes before the "
			       "version, as in NAME:VARIANT@VERSION", s);
	namelen = colon ? (size_t)(colon - s) : at ? (size_t)(at - s) : strlen(s);
	if (copy_part(r->name, sizeof r->name, s, namelen) || !name_valid(r->name))
		return dv_errf(e, "reference '%s': expected NAME[:VARIANT][@VERSION] "
			       "with a name of lowercase letters, digits and '-'", s);
	if (colon) {
		size_t n = at ? (size_t)(at - colon - 1) : strlen(colon + 1);
		if (copy_part(r->variant, sizeof r->variant, colon + 1, n) ||
		    !name_valid(r->variant))
			return dv_errf(e, "reference '%s': bad variant name", s);
	}
	if (at) {
		if (copy_part(r->version, sizeof r->version, at + 1, strlen(at + 1)) ||
		    semver_parse(r->version, &v))
			return dv_errf(e, "reference '%s': expected a semantic version "
				       "like 1.2.0 after '@'", s);
	}
	return 0;
}

const char *
ref_string(const struct ref *r, char *buf)
{
	snprintf(buf, REF_STRING_MAX, "%s%s%s%s%s", r->name,
		 r->variant[0] ? ":" : "", r->variant,
		 r->version[0] ? "@" : "", r->version);
	return buf;
}
