/* The parsed JSON tree and what needs no JSON library: the node accessors,
 * freeing and re-indenting compact text for pretty output. json.c builds the
 * tree with yajl and writes with yajl_gen; this file must not include yajl
 * (see json.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json-internal.h"

/* ================================================================ tree */

static void node_free(rf_json *n)
{
	if (!n)
		return;
	switch (n->type) {
	case RF_JSON_STRING:
	case RF_JSON_NUMBER:
		free(n->text);
		break;
	case RF_JSON_OBJECT:
		for (size_t i = 0; i < n->obj.len; i++) {
			free(n->obj.m[i].key);
			node_free(n->obj.m[i].value);
		}
		free(n->obj.m);
		break;
	case RF_JSON_ARRAY:
		for (size_t i = 0; i < n->arr.len; i++)
			node_free(n->arr.v[i]);
		free(n->arr.v);
		break;
	default:
		break;
	}
	free(n);
}

void rf_json_free(rf_json *root)
{
	node_free(root);
}

/* ================================================================ access */

/* Accessors take NULL (a missing member) and answer "absent". */

rf_json_type rf_json_typeof(const rf_json *n)
{
	return n ? n->type : RF_JSON_NULL;
}

const char *rf_json_type_name(rf_json_type t)
{
	switch (t) {
	case RF_JSON_NULL:
		return "null";
	case RF_JSON_BOOL:
		return "boolean";
	case RF_JSON_NUMBER:
		return "number";
	case RF_JSON_STRING:
		return "string";
	case RF_JSON_OBJECT:
		return "object";
	case RF_JSON_ARRAY:
		return "array";
	}
	return "unknown";
}

const rf_json *rf_json_get(const rf_json *obj, const char *key)
{
	if (!obj || obj->type != RF_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->obj.len; i++)
		if (strcmp(obj->obj.m[i].key, key) == 0)
			return obj->obj.m[i].value;
	return NULL;
}

size_t rf_json_object_len(const rf_json *obj)
{
	return obj && obj->type == RF_JSON_OBJECT ? obj->obj.len : 0;
}

const char *rf_json_object_key(const rf_json *obj, size_t i)
{
	return i < rf_json_object_len(obj) ? obj->obj.m[i].key : NULL;
}

const rf_json *rf_json_object_value(const rf_json *obj, size_t i)
{
	return i < rf_json_object_len(obj) ? obj->obj.m[i].value : NULL;
}

size_t rf_json_array_len(const rf_json *arr)
{
	return arr && arr->type == RF_JSON_ARRAY ? arr->arr.len : 0;
}

const rf_json *rf_json_array_at(const rf_json *arr, size_t i)
{
	return i < rf_json_array_len(arr) ? arr->arr.v[i] : NULL;
}

const char *rf_json_str(const rf_json *n)
{
	return n && n->type == RF_JSON_STRING ? n->text : NULL;
}

/* An integer is a number written without fraction or exponent: "3", "-7",
 * not "3.0" or "1e3". yajl has already checked the JSON number grammar. */
bool rf_json_is_integer(const rf_json *n)
{
	return n && n->type == RF_JSON_NUMBER && !strpbrk(n->text, ".eE");
}

int rf_json_i64(const rf_json *n, int64_t *out)
{
	char *end;
	long long v;

	if (!rf_json_is_integer(n))
		return -1;
	errno = 0;
	v = strtoll(n->text, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int rf_json_u64(const rf_json *n, uint64_t *out)
{
	char *end;
	unsigned long long v;

	/* strtoull would wrap "-1" to UINT64_MAX. */
	if (!rf_json_is_integer(n) || n->text[0] == '-')
		return -1;
	errno = 0;
	v = strtoull(n->text, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int rf_json_double_val(const rf_json *n, double *out)
{
	double v;

	if (!n || n->type != RF_JSON_NUMBER)
		return -1;
	v = strtod(n->text, NULL);
	if (!isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int rf_json_bool_val(const rf_json *n, bool *out)
{
	if (!n || n->type != RF_JSON_BOOL)
		return -1;
	*out = n->b;
	return 0;
}

/* ================================================================ pretty */

/* Emit one byte, or only count it when out is NULL (the sizing pass). */
static void put(char *out, size_t *o, char c)
{
	if (out)
		out[*o] = c;
	(*o)++;
}

static void put_indent(char *out, size_t *o, unsigned level)
{
	put(out, o, '\n');
	for (unsigned i = 0; i < 2 * level; i++)
		put(out, o, ' ');
}

/* Re-indent compact JSON (as yajl_gen wrote it) with two spaces per level,
 * `"key": value`, `{}`/`[]` for empty containers and a final newline.
 * Returns the length; writes nothing when out is NULL. */
size_t rf_json_reindent(const char *in, size_t len, char *out)
{
	bool in_str = false, esc = false;
	unsigned level = 0;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (in_str) {
			put(out, &o, c);
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			put(out, &o, c);
			break;
		case '{':
		case '[':
			put(out, &o, c);
			if (i + 1 < len && (in[i + 1] == '}' || in[i + 1] == ']')) {
				put(out, &o, in[++i]);
				break;
			}
			put_indent(out, &o, ++level);
			break;
		case '}':
		case ']':
			put_indent(out, &o, --level);
			put(out, &o, c);
			break;
		case ',':
			put(out, &o, c);
			put_indent(out, &o, level);
			break;
		case ':':
			put(out, &o, ':');
			put(out, &o, ' ');
			break;
		default:
			put(out, &o, c);
		}
	}
	put(out, &o, '\n');
	return o;
}
