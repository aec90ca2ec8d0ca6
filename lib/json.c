#include "json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "strbuf.h"

jv *
jv_parse(const char *data, size_t len, const char *name, struct dv_err *e)
{
	json_error_t je;
	json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);

	if (!v)
		dv_errf(e, "%s: line %d column %d: %s", name, je.line, je.column,
			je.text);
	return v;
}

jv *
jv_load_file(const char *path, size_t max, struct dv_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	jv *v;

	if (fs_read_file(path, max, &sb, e) < 0)
		return NULL;
	v = jv_parse(sb.buf, sb.len, path, e);
	strbuf_release(&sb);
	return v;
}

void
jv_free(jv *v)
{
	json_decref(v);
}

jv *
jv_ref(jv *v)
{
	return json_incref(v);
}

enum jv_type
jv_typeof(const jv *v)
{
	if (!v)
		return JV_NULL;
	switch (json_typeof(v)) {
	case JSON_OBJECT: return JV_OBJECT;
	case JSON_ARRAY: return JV_ARRAY;
	case JSON_STRING: return JV_STRING;
	case JSON_INTEGER: return JV_INT;
	case JSON_REAL: return JV_REAL;
	case JSON_TRUE:
	case JSON_FALSE: return JV_BOOL;
	default: return JV_NULL;
	}
}

const char *
jv_type_name(const jv *v)
{
	static const char *const names[] = {
		[JV_NULL] = "null", [JV_BOOL] = "a boolean",
		[JV_INT] = "an integer", [JV_REAL] = "a real number",
		[JV_STRING] = "a string", [JV_ARRAY] = "an array",
		[JV_OBJECT] = "an object",
	};

	return v ? names[jv_typeof(v)] : "nothing";
}

jv *
jv_get(const jv *obj, const char *key)
{
	return json_is_object(obj) ? json_object_get(obj, key) : NULL;
}

const char *
jv_str(const jv *v)
{
	return json_is_string(v) ? json_string_value(v) : NULL;
}

size_t
jv_strlen(const jv *v)
{
	return json_is_string(v) ? json_string_length(v) : 0;
}

bool
jv_is_int(const jv *v)
{
	return json_is_integer(v);
}

long long
jv_int(const jv *v)
{
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

bool
jv_is_bool(const jv *v)
{
	return json_is_boolean(v);
}

bool
jv_bool(const jv *v)
{
	return json_is_true(v);
}

size_t
jv_len(const jv *v)
{
	if (json_is_array(v))
		return json_array_size(v);
	if (json_is_object(v))
		return json_object_size(v);
	return 0;
}

jv *
jv_at(const jv *arr, size_t i)
{
	return json_array_get(arr, i);
}

void *
jv_iter(const jv *obj)
{
	return json_is_object(obj) ? json_object_iter((json_t *)obj) : NULL;
}

void *
jv_iter_next(const jv *obj, void *it)
{
	return json_object_iter_next((json_t *)obj, it);
}

const char *
jv_iter_key(void *it)
{
	return json_object_iter_key(it);
}

jv *
jv_iter_value(void *it)
{
	return json_object_iter_value(it);
}

jv *
jv_object(void)
{
	return json_object();
}

jv *
jv_array(void)
{
	return json_array();
}

jv *
jv_string(const char *s)
{
	return jv_stringn(s, strlen(s));
}

jv *
jv_stringn(const char *s, size_t len)
{
	json_t *v = json_stringn(s, len);
	char *copy;

	if (v)
		return v;
	/* Not UTF-8 (a file name, say): keep ASCII, replace the rest. */
	copy = xstrndup(s, len);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)copy[i] >= 0x80 || copy[i] == '\0')
			copy[i] = '?';
	v = json_stringn(copy, len);
	free(copy);
	if (!v)
		abort();
	return v;
}

jv *
jv_integer(long long n)
{
	return json_integer(n);
}

jv *
jv_boolean(bool b)
{
	return json_boolean(b);
}

jv *
jv_null(void)
{
	return json_null();
}

void
jv_set(jv *obj, const char *key, jv *val)
{
	if (json_object_set_new(obj, key, val) < 0)
		abort();
}

void
jv_push(jv *arr, jv *val)
{
	if (json_array_append_new(arr, val) < 0)
		abort();
}

void
jv_del(jv *obj, const char *key)
{
	json_object_del(obj, key);
}

jv *
jv_deep_copy(const jv *v)
{
	return json_deep_copy(v);
}

char *
jv_dump(const jv *v, int flags)
{
	size_t jflags = JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
	char *s, *out;

	if (flags & JV_PRETTY)
		jflags |= JSON_INDENT(2);
	else
		jflags |= JSON_COMPACT;
	if (flags & JV_SORT_KEYS)
		jflags |= JSON_SORT_KEYS;
	s = json_dumps(v, jflags);
	if (!s)
		abort();
	out = (flags & JV_PRETTY) ? xasprintf("%s\n", s) : xstrdup(s);
	free(s);
	return out;
}
