/*
 * Command-line words and glob matching (see cmdline.h).
 */
#include "lib/cmdline.h"

#include "lib/kstring.h"

static size_t word_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ')
		n++;
	return n;
}

static void copy_value(const char *v, size_t len, char *out, size_t n)
{
	if (n == 0)
		return;
	if (len >= n)
		len = n - 1;
	memcpy(out, v, len);
	out[len] = '\0';
}

bool cmdline_get(const char *args, const char *key, char *out, size_t n)
{
	size_t klen = strlen(key);
	bool found = false;

	while (*args) {
		size_t w = word_len(args);

		if (w >= klen && memcmp(args, key, klen) == 0 &&
		    (w == klen || args[klen] == '=')) {
			size_t vlen = w == klen ? 0 : w - klen - 1;

			copy_value(args + klen + (w > klen), vlen, out, n);
			found = true;
		}
		args += w;
		while (*args == ' ')
			args++;
	}
	return found;
}

bool cmdline_glob(const char *p, const char *s)
{
	const char *star = 0, *resume = 0;

	while (*s) {
		if (*p == '?' || (*p && *p == *s)) {
			p++;
			s++;
		} else if (*p == '*') {
			star = p++;
			resume = s;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

bool cmdline_glob_list(const char *patterns, const char *name)
{
	char one[64];

	while (*patterns) {
		size_t n = 0;

		while (patterns[n] && patterns[n] != ',')
			n++;
		if (n < sizeof(one)) {
			memcpy(one, patterns, n);
			one[n] = '\0';
			if (cmdline_glob(one, name))
				return true;
		}
		patterns += n + (patterns[n] == ',');
	}
	return false;
}
