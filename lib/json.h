/*
 * json — a thin layer over jansson, the only module that sees it.
 *
 * Owns: parsing (duplicate keys refused, errors naming file, line and
 * column), reading values with their types checked, building values and
 * deterministic dumping.  Values are reference counted: jv_free drops one
 * reference; jv_set and jv_push take over the reference they are given.
 * Borrowed pointers (jv_get, jv_at, jv_str) live as long as their parent.
 */
#ifndef DIVER_JSON_H
#define DIVER_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct json_t;
typedef struct json_t jv;

enum jv_type { JV_NULL, JV_BOOL, JV_INT, JV_REAL, JV_STRING, JV_ARRAY, JV_OBJECT };

/* Parse len bytes; name says where they came from, for messages. */
jv *jv_parse(const char *data, size_t len, const char *name, struct dv_err *e);
jv *jv_load_file(const char *path, size_t max, struct dv_err *e);
void jv_free(jv *v);
jv *jv_ref(jv *v);

enum jv_type jv_typeof(const jv *v);
/* "a string", "an object", ... for messages like `expected X, got Y`. */
const char *jv_type_name(const jv *v);

jv *jv_get(const jv *obj, const char *key);
const char *jv_str(const jv *v);               /* NULL unless a string */
size_t jv_strlen(const jv *v);
bool jv_is_int(const jv *v);
long long jv_int(const jv *v);
bool jv_is_bool(const jv *v);
bool jv_bool(const jv *v);
size_t jv_len(const jv *v);                     /* array or object size */
jv *jv_at(const jv *arr, size_t i);

/* Object iteration in insertion order. */
void *jv_iter(const jv *obj);
void *jv_iter_next(const jv *obj, void *it);
const char *jv_iter_key(void *it);
jv *jv_iter_value(void *it);

jv *jv_object(void);
jv *jv_array(void);
jv *jv_string(const char *s);
jv *jv_stringn(const char *s, size_t len);
jv *jv_integer(long long n);
jv *jv_boolean(bool b);
jv *jv_null(void);
void jv_set(jv *obj, const char *key, jv *val);   /* takes val */
void jv_push(jv *arr, jv *val);                   /* takes val */
void jv_del(jv *obj, const char *key);
jv *jv_deep_copy(const jv *v);

enum { JV_PRETTY = 1, JV_SORT_KEYS = 2 };
/* Dump as UTF-8 (pretty: 2-space indent and a final newline); caller frees. */
char *jv_dump(const jv *v, int flags);

#endif
