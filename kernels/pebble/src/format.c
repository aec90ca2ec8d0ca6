/*
 * format.c — the printf engine: every printf-family function formats
 * through format() into a sink.  Integers, strings, characters and
 * pointers; no floating point (pebble apps have no FPU state to speak of).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel.h"

struct spec {
	int left, zero, plus, space, alt;
	int width, precision;           /* precision -1 = none */
	int length;                     /* 0, 'H' (hh), 'h', 'l', 'L' (ll), 'z' */
};

static void
pad(struct sink *s, char c, int n)
{
	while (n-- > 0)
		s->put(s, c);
}

static void
emit_string(struct sink *s, const struct spec *sp, const char *str)
{
	int len = 0;

	if (!str)
		str = "(null)";
	while (str[len] && (sp->precision < 0 || len < sp->precision))
		len++;
	if (!sp->left)
		pad(s, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		s->put(s, str[i]);
	if (sp->left)
		pad(s, ' ', sp->width - len);
}

static void
emit_number(struct sink *s, const struct spec *sp, uint64_t v, int negative,
	    unsigned base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[32], sign = 0;
	const char *prefix = "";
	int n = 0, zeros, len;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->precision == 0 && n == 1 && buf[0] == '0')
		n = 0;
	if (negative)
		sign = '-';
	else if (sp->plus)
		sign = '+';
	else if (sp->space)
		sign = ' ';
	if (sp->alt && base == 16)
		prefix = upper ? "0X" : "0x";
	zeros = sp->precision > n ? sp->precision - n : 0;
	len = n + zeros + (sign != 0) + (int)(prefix[1] ? 2 : 0);
	if (sp->zero && !sp->left && sp->precision < 0 && sp->width > len) {
		zeros += sp->width - len;
		len = sp->width;
	}
	if (!sp->left)
		pad(s, ' ', sp->width - len);
	if (sign)
		s->put(s, sign);
	for (const char *p = prefix; *p; p++)
		s->put(s, *p);
	pad(s, '0', zeros);
	while (n > 0)
		s->put(s, buf[--n]);
	if (sp->left)
		pad(s, ' ', sp->width - len);
}

static const char *
parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .precision = -1 };
	for (;; f++) {
		if (*f == '-') sp->left = 1;
		else if (*f == '0') sp->zero = 1;
		else if (*f == '+') sp->plus = 1;
		else if (*f == ' ') sp->space = 1;
		else if (*f == '#') sp->alt = 1;
		else break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = 1;
			sp->width = -sp->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->precision = 0;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->precision = sp->precision * 10 + (*f++ - '0');
	}
	if (f[0] == 'h' && f[1] == 'h') { sp->length = 'H'; f += 2; }
	else if (f[0] == 'l' && f[1] == 'l') { sp->length = 'L'; f += 2; }
	else if (*f == 'h' || *f == 'l' || *f == 'z' || *f == 'j' || *f == 't') {
		sp->length = *f == 'j' ? 'L' : *f;
		f++;
	}
	return f;
}

static int64_t
signed_arg(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'L': return va_arg(*ap, long long);
	case 'l': return va_arg(*ap, long);
	case 'z': case 't': return va_arg(*ap, ptrdiff_t);
	case 'h': return (short)va_arg(*ap, int);
	case 'H': return (signed char)va_arg(*ap, int);
	default: return va_arg(*ap, int);
	}
}

static uint64_t
unsigned_arg(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'L': return va_arg(*ap, unsigned long long);
	case 'l': return va_arg(*ap, unsigned long);
	case 'z': case 't': return va_arg(*ap, size_t);
	case 'h': return (unsigned short)va_arg(*ap, unsigned);
	case 'H': return (unsigned char)va_arg(*ap, unsigned);
	default: return va_arg(*ap, unsigned);
	}
}

static void
convert(struct sink *s, char c, struct spec *sp, va_list *ap)
{
	int64_t v;
	char ch[2] = { 0, 0 };

	switch (c) {
	case 'd': case 'i':
		v = signed_arg(sp, ap);
		emit_number(s, sp, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0, 10, 0);
		break;
	case 'u': emit_number(s, sp, unsigned_arg(sp, ap), 0, 10, 0); break;
	case 'x': emit_number(s, sp, unsigned_arg(sp, ap), 0, 16, 0); break;
	case 'X': emit_number(s, sp, unsigned_arg(sp, ap), 0, 16, 1); break;
	case 'o': emit_number(s, sp, unsigned_arg(sp, ap), 0, 8, 0); break;
	case 'p':
		sp->alt = 1;
		emit_number(s, sp, (uintptr_t)va_arg(*ap, void *), 0, 16, 0);
		break;
	case 's': emit_string(s, sp, va_arg(*ap, const char *)); break;
	case 'c':
		ch[0] = (char)va_arg(*ap, int);
		sp->precision = 1;
		if (!ch[0]) {           /* a NUL character still counts */
			pad(s, ' ', sp->left ? 0 : sp->width - 1);
			s->put(s, '\0');
			pad(s, ' ', sp->left ? sp->width - 1 : 0);
			break;
		}
		emit_string(s, sp, ch);
		break;
	default:
		s->put(s, '%');
		if (c)
			s->put(s, c);
	}
}

int
format(struct sink *s, const char *fmt, va_list ap)
{
	va_list cp;
	struct spec sp;

	va_copy(cp, ap);
	s->count = 0;
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			s->put(s, *f);
			continue;
		}
		if (f[1] == '%') {
			s->put(s, '%');
			f++;
			continue;
		}
		f = parse_spec(f + 1, &sp, &cp);
		convert(s, *f, &sp, &cp);
		if (!*f)
			break;
	}
	va_end(cp);
	return (int)s->count;
}
