/* Shared by the JSON files: json.c (yajl: writing with yajl_gen, parsing into
 * the tree) and json-tree.c (the tree's accessors and freeing, re-indenting
 * for pretty output; no yajl). Only json.c includes yajl. */
#ifndef RINGFENCE_JSON_INTERNAL_H
#define RINGFENCE_JSON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "ringfence/error.h"
#include "ringfence/json.h"

/* Deeper than any real profile; bounds the recursion in rf_json_free. */
#define RF_JSON_MAX_DEPTH 64

struct rf_json_member {
	char *key;
	rf_json *value;
};

struct rf_json {
	rf_json_type type;
	union {
		bool b;
		char *text;     /* string value, or a number's source text */
		struct {
			size_t len, cap;
			struct rf_json_member *m;
		} obj;
		struct {
			size_t len, cap;
			rf_json **v;
		} arr;
	};
};

/* Re-indent compact JSON (as yajl_gen wrote it) with two spaces per level,
 * `"key": value`, `{}`/`[]` for empty containers and a final newline.
 * Returns the length; writes nothing when out is NULL (the sizing pass). */
size_t rf_json_reindent(const char *in, size_t len, char *out);

#endif
