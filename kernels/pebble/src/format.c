/*
 * format.c — the printf engine behind printf, snprintf, pb_log and the
 * kernel log.  Flags "-+ #0", width and precision (also "*"), lengths
 * hh h l ll j z t L, conversions d i u o x X c s p % and f F e E g G.
 * Output goes to a sink in runs; the sink decides where bytes end up.
 *
 * Floating point is printed from 18 correctly rounded significant digits,
 * padded with zeros beyond that (glibc prints the exact binary value):
 * good for results and timings, not for a correctly rounded 1e300.
 */
#include <string.h>

#include "kernel.h"

#define FLOAT_PREC_MAX 100
#define FLOAT_DIGITS 420    /* 309 integer digits of DBL_MAX + precision */
#define FLOAT_EXACT 18      /* significant digits we can compute exactly */

struct spec {
	bool left, plus, space, alt, zero;
	int width;
	int prec;               /* -1 when not given */
	char length;            /* 0, 'H' (hh), 'h', 'l', 'q' (ll), 'j', 'z', 't', 'L' */
	char conv;
};

static void
emit(struct pb_sink *s, const char *p, size_t n)
{
	if (n == 0)
		return;
	s->put(s, p, n);
	s->count += n;
}

static void
emit_repeat(struct pb_sink *s, char c, int n)
{
	char run[16];

	memset(run, c, sizeof run);
	for (; n > 0; n -= (int)sizeof run)
		emit(s, run, n < (int)sizeof run ? (size_t)n : sizeof run);
}

/* prefix (sign, 0x), then zeros, then body, padded to the field width. */
static void
emit_field(struct pb_sink *s, const struct spec *sp, const char *prefix,
	   int zeros, const char *body, size_t len)
{
	int plen = (int)strlen(prefix);
	int fill = sp->width - plen - zeros - (int)len;

	if (fill < 0)
		fill = 0;
	if (!sp->left && !sp->zero)
		emit_repeat(s, ' ', fill);
	emit(s, prefix, (size_t)plen);
	if (!sp->left && sp->zero)
		emit_repeat(s, '0', fill);
	emit_repeat(s, '0', zeros);
	emit(s, body, len);
	if (sp->left)
		emit_repeat(s, ' ', fill);
}

static const char *
parse_number(const char *p, int *n)
{
	*n = 0;
	while (*p >= '0' && *p <= '9') {
		if (*n < 100000)
			*n = *n * 10 + (*p - '0');
		p++;
	}
	return p;
}

static const char *
parse_length(const char *p, char *length)
{
	*length = 0;
	if ((p[0] == 'h' || p[0] == 'l') && p[1] == p[0]) {
		*length = p[0] == 'h' ? 'H' : 'q';
		return p + 2;
	}
	if (strchr("hljztL", *p) && *p) {
		*length = *p;
		return p + 1;
	}
	return p;
}

/* Parse what follows a '%'; returns the position after the conversion. */
static const char *
parse_spec(const char *p, struct spec *sp, va_list *ap)
{
	memset(sp, 0, sizeof *sp);
	sp->prec = -1;
	for (;; p++) {
		if (*p == '-') sp->left = true;
		else if (*p == '+') sp->plus = true;
		else if (*p == ' ') sp->space = true;
		else if (*p == '#') sp->alt = true;
		else if (*p == '0') sp->zero = true;
		else break;
	}
	if (*p == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		p++;
	} else {
		p = parse_number(p, &sp->width);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			sp->prec = va_arg(*ap, int);
			p++;
		} else {
			p = parse_number(p, &sp->prec);
		}
		if (sp->prec < 0)
			sp->prec = -1;
	}
	p = parse_length(p, &sp->length);
	sp->conv = *p;
	if (sp->left)
		sp->zero = false;
	return *p ? p + 1 : p;
}

static uintmax_t
arg_unsigned(va_list *ap, char length)
{
	switch (length) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned);
	case 'h': return (unsigned short)va_arg(*ap, unsigned);
	case 'l': return va_arg(*ap, unsigned long);
	case 'q': return va_arg(*ap, unsigned long long);
	case 'j': return va_arg(*ap, uintmax_t);
	case 'z': return va_arg(*ap, size_t);
	case 't': return (uintmax_t)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned);
	}
}

static intmax_t
arg_signed(va_list *ap, char length)
{
	switch (length) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'q': return va_arg(*ap, long long);
	case 'j': return va_arg(*ap, intmax_t);
	case 'z': return (ptrdiff_t)va_arg(*ap, size_t);   /* the signed size_t */
	case 't': return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

static const char *
sign_prefix(const struct spec *sp, bool negative)
{
	if (negative)
		return "-";
	return sp->plus ? "+" : sp->space ? " " : "";
}

static void
format_integer(struct pb_sink *s, struct spec *sp, uintmax_t v, bool negative)
{
	const char *digits = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = sp->conv == 'o' ? 8 : strchr("xXp", sp->conv) ? 16 : 10;
	char buf[24], *end = buf + sizeof buf, *p = end;
	const char *prefix = "";
	bool is_signed = sp->conv == 'd' || sp->conv == 'i';
	int zeros;

	for (uintmax_t x = v; x; x /= base)
		*--p = digits[x % base];
	if (v == 0 && sp->prec != 0)
		*--p = '0';
	if (is_signed)
		prefix = sign_prefix(sp, negative);
	else if (sp->alt && base == 16 && v != 0)
		prefix = sp->conv == 'X' ? "0X" : "0x";
	zeros = sp->prec > end - p ? sp->prec - (int)(end - p) : 0;
	if (sp->alt && base == 8 && zeros == 0 && (p == end || *p != '0'))
		zeros = 1;
	if (sp->prec >= 0)
		sp->zero = false;        /* C: a precision turns the 0 flag off */
	emit_field(s, sp, prefix, zeros, p, (size_t)(end - p));
}

/*
 * Decimal digits of v > 0, rounded to n of them: v = d[0].d[1]d[2]... x 10^e.
 * Scaling in long double keeps the first 18 digits exact; beyond those
 * the digits are zeros.  An exact tie rounds to even, as glibc does.
 */
static int
float_digits(long double v, char *d, int n)
{
	int e = 0, i, exact = n < FLOAT_EXACT ? n : FLOAT_EXACT;

	while (v >= 1e32L) { v /= 1e32L; e += 32; }
	while (v >= 10) { v /= 10; e++; }
	while (v < 1e-32L) { v *= 1e32L; e -= 32; }
	while (v < 1) { v *= 10; e--; }
	for (i = 0; i < exact; i++) {
		int k = (int)v;
		d[i] = (char)('0' + (k > 9 ? 9 : k));
		v = (v - k) * 10;
	}
	memset(d + exact, '0', (size_t)(n - exact));
	if (v > 5 || (v == 5 && (d[exact - 1] - '0') % 2 == 1)) {
		for (i = exact - 1; i >= 0 && d[i] == '9'; i--)
			d[i] = '0';
		if (i >= 0) {
			d[i]++;
		} else {
			d[0] = '1';
			e++;
		}
	}
	return e;
}

static int
float_exponent(long double v)
{
	char d;

	return v > 0 ? float_digits(v, &d, 1) : 0;
}

/* v >= 0 as d.ddde+XX with prec decimals. */
static size_t
render_exp(long double v, int prec, bool alt, bool upper, char *out)
{
	char d[FLOAT_PREC_MAX + 1];
	int e = 0;
	size_t len = 0;

	memset(d, '0', sizeof d);
	if (v > 0)
		e = float_digits(v, d, prec + 1);
	out[len++] = d[0];
	if (prec > 0 || alt)
		out[len++] = '.';
	for (int i = 1; i <= prec; i++)
		out[len++] = d[i];
	out[len++] = upper ? 'E' : 'e';
	out[len++] = e < 0 ? '-' : '+';
	e = e < 0 ? -e : e;
	for (int div = e >= 1000 ? 1000 : e >= 100 ? 100 : 10; div; div /= 10)
		out[len++] = (char)('0' + e / div % 10);
	return len;
}

/* v >= 0 with prec decimals; returns the length written to out. */
static size_t
render_fixed(long double v, int prec, bool alt, char *out)
{
	char d[FLOAT_DIGITS];
	int e = float_exponent(v), n = e + 1 + prec;
	size_t len = 0;

	if (n > FLOAT_DIGITS)           /* only long doubles get this big */
		return render_exp(v, prec, alt, false, out);
	memset(d, '0', sizeof d);
	if (v > 0 && n > 0) {
		e = float_digits(v, d, n);
	} else if (v > 0 && n == 0) {
		/* just below the last decimal: 0.0006 at %.3f is 0.001 */
		int x = float_digits(v, d, 1);
		d[0] = x > e || d[0] >= '5' ? '1' : '0';
		e = -prec;
	}
	for (int i = 0; i <= (e > 0 ? e : 0); i++)
		out[len++] = e < 0 ? '0' : d[i];
	if (prec > 0 || alt)
		out[len++] = '.';
	for (int k = 1; k <= prec; k++) {
		int i = e + k;
		out[len++] = i >= 0 && i < FLOAT_DIGITS ? d[i] : '0';
	}
	return len;
}

/* %g drops trailing zeros of the fraction (and a lone point). */
static size_t
strip_zeros(char *out, size_t len)
{
	size_t exp = 0, end;

	while (exp < len && out[exp] != 'e' && out[exp] != 'E')
		exp++;
	if (!memchr(out, '.', exp))
		return len;
	end = exp;
	while (out[end - 1] == '0')
		end--;
	if (out[end - 1] == '.')
		end--;
	memmove(out + end, out + exp, len - exp);
	return end + (len - exp);
}

static size_t
render_general(long double v, int prec, bool alt, bool upper, char *out)
{
	char d[FLOAT_PREC_MAX + 1];
	int p = prec == 0 ? 1 : prec, x = 0;
	size_t len;

	if (v > 0)
		x = float_digits(v, d, p);
	if (p > x && x >= -4)
		len = render_fixed(v, p - 1 - x, alt, out);
	else
		len = render_exp(v, p - 1, alt, upper, out);
	return alt ? len : strip_zeros(out, len);
}

static void
format_float(struct pb_sink *s, struct spec *sp, long double v)
{
	char out[FLOAT_DIGITS + 16];
	bool upper = sp->conv == 'F' || sp->conv == 'E' || sp->conv == 'G';
	bool negative = __builtin_signbit(v);
	int prec = sp->prec < 0 ? 6 : sp->prec > FLOAT_PREC_MAX ? FLOAT_PREC_MAX : sp->prec;
	size_t len;

	v = negative ? -v : v;
	if (__builtin_isnan(v) || __builtin_isinf(v)) {
		sp->zero = false;
		emit_field(s, sp, sign_prefix(sp, negative), 0,
			   __builtin_isnan(v) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf"), 3);
		return;
	}
	if (sp->conv == 'f' || sp->conv == 'F')
		len = render_fixed(v, prec, sp->alt, out);
	else if (sp->conv == 'e' || sp->conv == 'E')
		len = render_exp(v, prec, sp->alt, upper, out);
	else
		len = render_general(v, prec, sp->alt, upper, out);
	emit_field(s, sp, sign_prefix(sp, negative), 0, out, len);
}

static void
format_string(struct pb_sink *s, struct spec *sp, const char *str)
{
	size_t len;

	if (!str)
		str = "(null)";
	len = sp->prec >= 0 ? strnlen(str, (size_t)sp->prec) : strlen(str);
	sp->zero = false;
	emit_field(s, sp, "", 0, str, len);
}

/* As glibc: 0x and the hex digits, or (nil). */
static void
format_pointer(struct pb_sink *s, struct spec *sp, void *p)
{
	if (!p) {
		sp->prec = -1;
		format_string(s, sp, "(nil)");
		return;
	}
	sp->alt = true;
	format_integer(s, sp, (uintptr_t)p, false);
}

static void
format_one(struct pb_sink *s, struct spec *sp, va_list *ap)
{
	char c;
	intmax_t i;

	switch (sp->conv) {
	case 'd': case 'i':
		i = arg_signed(ap, sp->length);
		format_integer(s, sp, i < 0 ? -(uintmax_t)i : (uintmax_t)i, i < 0);
		break;
	case 'u': case 'o': case 'x': case 'X':
		format_integer(s, sp, arg_unsigned(ap, sp->length), false);
		break;
	case 'p':
		format_pointer(s, sp, va_arg(*ap, void *));
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		sp->zero = false;
		emit_field(s, sp, "", 0, &c, 1);
		break;
	case 's':
		format_string(s, sp, va_arg(*ap, const char *));
		break;
	case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
		format_float(s, sp, sp->length == 'L' ? va_arg(*ap, long double)
						       : va_arg(*ap, double));
		break;
	case '%':
		emit(s, "%", 1);
		break;
	default:                        /* unknown (or %n): shown, not obeyed */
		emit(s, "%", 1);
		emit(s, &sp->conv, sp->conv ? 1 : 0);
	}
}

int
pb_vformat(struct pb_sink *s, const char *fmt, va_list ap)
{
	va_list args;
	struct spec sp;
	size_t start = s->count;

	va_copy(args, ap);
	while (*fmt) {
		const char *pct = strchr(fmt, '%');
		if (!pct) {
			emit(s, fmt, strlen(fmt));
			break;
		}
		emit(s, fmt, (size_t)(pct - fmt));
		fmt = parse_spec(pct + 1, &sp, &args);
		format_one(s, &sp, &args);
	}
	va_end(args);
	return (int)(s->count - start);
}
