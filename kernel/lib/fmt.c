/*
 * fmt_vsnprintf(): the kernel's printf engine (see fmt.h for the subset).
 * Output goes through a bounded sink, so a format never writes past the
 * caller's buffer.  Pure code: also built for the host and fuzzed there.
 */
#include "lib/fmt.h"

#include <stdbool.h>
#include <stdint.h>

struct sink {
	char *buf;
	size_t size;
	size_t len;	/* characters produced so far, stored or not */
};

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec;	/* -1: none */
	int length;	/* 0 int, 1 long, 2 long long, -1 short, -2 char */
	char conv;
};

static void sink_put(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void sink_pad(struct sink *s, char c, int n)
{
	while (n-- > 0)
		sink_put(s, c);
}

static const char *parse_flags(const char *f, struct spec *sp)
{
	for (;; f++) {
		switch (*f) {
		case '-': sp->left = true; break;
		case '0': sp->zero = true; break;
		case '+': sp->plus = true; break;
		case ' ': sp->space = true; break;
		case '#': sp->alt = true; break;
		default: return f;
		}
	}
}

static const char *parse_num(const char *f, int *out, va_list *ap)
{
	int n = 0;

	if (*f == '*') {
		*out = va_arg(*ap, int);
		return f + 1;
	}
	while (*f >= '0' && *f <= '9' && n < 100000)
		n = n * 10 + (*f++ - '0');
	*out = n;
	return f;
}

static const char *parse_length(const char *f, struct spec *sp)
{
	switch (*f) {
	case 'h':
		sp->length = f[1] == 'h' ? -2 : -1;
		return f + (f[1] == 'h' ? 2 : 1);
	case 'l':
		sp->length = f[1] == 'l' ? 2 : 1;
		return f + (f[1] == 'l' ? 2 : 1);
	case 'z': case 't': case 'j':
		sp->length = 2;
		return f + 1;
	default:
		return f;
	}
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .prec = -1 };
	f = parse_flags(f, sp);
	f = parse_num(f, &sp->width, ap);
	if (sp->width < 0) {
		sp->left = true;
		sp->width = -sp->width;
	}
	if (*f == '.') {
		f = parse_num(f + 1, &sp->prec, ap);
		if (sp->prec < 0)
			sp->prec = -1;
	}
	f = parse_length(f, sp);
	sp->conv = *f;
	return *f ? f + 1 : f;
}

static void emit_str(struct sink *s, const struct spec *sp, const char *str)
{
	int n = 0;

	if (!str)
		str = "(null)";
	while ((sp->prec < 0 || n < sp->prec) && str[n])
		n++;
	if (!sp->left)
		sink_pad(s, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		sink_put(s, str[i]);
	if (sp->left)
		sink_pad(s, ' ', sp->width - n);
}

static void emit_char(struct sink *s, const struct spec *sp, char c)
{
	if (!sp->left)
		sink_pad(s, ' ', sp->width - 1);
	sink_put(s, c);
	if (sp->left)
		sink_pad(s, ' ', sp->width - 1);
}

static int to_digits(char *d, uint64_t v, unsigned base, bool upper)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	do {
		d[n++] = dig[v % base];
		v /= base;
	} while (v);
	return n;
}

static void emit_num(struct sink *s, const struct spec *sp, uint64_t v,
		     bool neg, unsigned base)
{
	char d[24];
	const char *prefix = "";
	int nd = (v == 0 && sp->prec == 0) ? 0 :
		 to_digits(d, v, base, sp->conv == 'X');
	int zeros = sp->prec > nd ? sp->prec - nd : 0;

	if (neg)
		prefix = "-";
	else if (sp->plus)
		prefix = "+";
	else if (sp->space)
		prefix = " ";
	else if (sp->alt && base == 16 && v)
		prefix = sp->conv == 'X' ? "0X" : "0x";
	else if (sp->alt && base == 8 && zeros == 0 && (v || nd == 0))
		prefix = "0";
	int plen = 0;
	while (prefix[plen])
		plen++;
	int pad = sp->width - plen - zeros - nd;
	if (sp->zero && !sp->left && sp->prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!sp->left)
		sink_pad(s, ' ', pad);
	for (int i = 0; i < plen; i++)
		sink_put(s, prefix[i]);
	sink_pad(s, '0', zeros);
	while (nd)
		sink_put(s, d[--nd]);
	if (sp->left)
		sink_pad(s, ' ', pad);
}

static int64_t get_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 2: return va_arg(*ap, long long);
	case 1: return va_arg(*ap, long);
	case -1: return (short)va_arg(*ap, int);
	case -2: return (signed char)va_arg(*ap, int);
	default: return va_arg(*ap, int);
	}
}

static uint64_t get_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 2: return va_arg(*ap, unsigned long long);
	case 1: return va_arg(*ap, unsigned long);
	case -1: return (unsigned short)va_arg(*ap, unsigned int);
	case -2: return (unsigned char)va_arg(*ap, unsigned int);
	default: return va_arg(*ap, unsigned int);
	}
}

static void emit_conv(struct sink *s, struct spec *sp, va_list *ap)
{
	switch (sp->conv) {
	case 'c':
		emit_char(s, sp, (char)va_arg(*ap, int));
		break;
	case 's':
		emit_str(s, sp, va_arg(*ap, const char *));
		break;
	case 'd': case 'i': {
		int64_t v = get_signed(sp, ap);
		emit_num(s, sp, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10);
		break;
	}
	case 'u':
		emit_num(s, sp, get_unsigned(sp, ap), false, 10);
		break;
	case 'x': case 'X':
		emit_num(s, sp, get_unsigned(sp, ap), false, 16);
		break;
	case 'o':
		emit_num(s, sp, get_unsigned(sp, ap), false, 8);
		break;
	case 'p':
		sp->alt = true;
		sp->conv = 'x';
		emit_num(s, sp, (uintptr_t)va_arg(*ap, void *), false, 16);
		break;
	case '%':
		sink_put(s, '%');
		break;
	default:	/* unknown or truncated: print it as written */
		sink_put(s, '%');
		if (sp->conv)
			sink_put(s, sp->conv);
		break;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .size = size, .len = 0 };
	struct spec sp;
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			sink_put(&s, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &aq);
		emit_conv(&s, &sp, &aq);
	}
	va_end(aq);
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return s.len > 0x7fffffff ? 0x7fffffff : (int)s.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
