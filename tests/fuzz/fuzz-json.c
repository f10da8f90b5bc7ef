/* libFuzzer target for the JSON reader and writer (src/json.c): parse, walk
 * every node through every accessor, write the tree back out and parse that
 * again. The copy must have the same shape, strings and integers, and the
 * writer must accept everything the reader produced. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/json.h"

#include "fuzz.h"



/* Write n with the writer, using only the public accessors. */
static void emit(rf_json_writer *w, const rf_json *n)
{
	uint64_t u;
	int64_t i;
	double d;
	bool b;

	switch (rf_json_typeof(n)) {
	case RF_JSON_NULL:
		rf_json_null(w);
		break;
	case RF_JSON_BOOL:
		CHECK(rf_json_bool_val(n, &b) == 0);
		rf_json_bool(w, b);
		break;
	case RF_JSON_NUMBER:
		if (rf_json_u64(n, &u) == 0)
			rf_json_uint(w, u);
		else if (rf_json_i64(n, &i) == 0)
			rf_json_int(w, i);
		else if (rf_json_double_val(n, &d) == 0)
			rf_json_double(w, d);
		else
			rf_json_null(w);        /* 1e999: no double holds it */
		break;
	case RF_JSON_STRING:
		CHECK(rf_json_str(n) != NULL);
		rf_json_string(w, rf_json_str(n));
		break;
	case RF_JSON_OBJECT:
		rf_json_begin_object(w);
		for (size_t k = 0; k < rf_json_object_len(n); k++) {
			const char *key = rf_json_object_key(n, k);

			/* Keys are unique, so lookup finds this very member. */
			CHECK(rf_json_get(n, key) == rf_json_object_value(n, k));
			rf_json_key(w, key);
			emit(w, rf_json_object_value(n, k));
		}
		CHECK(rf_json_object_key(n, rf_json_object_len(n)) == NULL);
		rf_json_end_object(w);
		break;
	case RF_JSON_ARRAY:
		rf_json_begin_array(w);
		for (size_t k = 0; k < rf_json_array_len(n); k++)
			emit(w, rf_json_array_at(n, k));
		CHECK(rf_json_array_at(n, rf_json_array_len(n)) == NULL);
		rf_json_end_array(w);
		break;
	}
}

/* a was read from the input, b from what the writer made of a. */
static void same(const rf_json *a, const rf_json *b)
{
	rf_json_type t = rf_json_typeof(a);
	uint64_t ua, ub;
	int64_t ia, ib;

	if (t == RF_JSON_NUMBER && rf_json_typeof(b) == RF_JSON_NULL) {
		double d;

		CHECK(rf_json_double_val(a, &d) < 0);
		return;
	}
	CHECK(rf_json_typeof(b) == t);
	CHECK(rf_json_type_name(t)[0] != '\0');
	switch (t) {
	case RF_JSON_NUMBER:
		if (rf_json_u64(a, &ua) == 0)
			CHECK(rf_json_u64(b, &ub) == 0 && ua == ub);
		else if (rf_json_i64(a, &ia) == 0)
			CHECK(rf_json_i64(b, &ib) == 0 && ia == ib);
		break;
	case RF_JSON_STRING:
		CHECK(strcmp(rf_json_str(a), rf_json_str(b)) == 0);
		break;
	case RF_JSON_OBJECT:
		CHECK(rf_json_object_len(a) == rf_json_object_len(b));
		for (size_t k = 0; k < rf_json_object_len(a); k++) {
			CHECK(strcmp(rf_json_object_key(a, k), rf_json_object_key(b, k)) == 0);
			same(rf_json_object_value(a, k), rf_json_object_value(b, k));
		}
		break;
	case RF_JSON_ARRAY:
		CHECK(rf_json_array_len(a) == rf_json_array_len(b));
		for (size_t k = 0; k < rf_json_array_len(a); k++)
			same(rf_json_array_at(a, k), rf_json_array_at(b, k));
		break;
	default:
		break;
	}
}

static void roundtrip(const rf_json *root, bool pretty)
{
	rf_json_writer *w = rf_json_writer_new(pretty);
	rf_error err = { 0 };
	char *out = NULL;
	size_t len = 0;
	rf_json *copy;

	CHECK(w != NULL);
	emit(w, root);
	CHECK(rf_json_writer_finish(w, &out, &len, &err) == 0);
	rf_json_writer_free(w);
	CHECK(strlen(out) == len);
	copy = rf_json_parse(out, len, &err);
	CHECK(copy != NULL);
	same(root, copy);
	rf_json_free(copy);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rf_error err = { 0 };
	rf_json *root = rf_json_parse((const char *)data, size, &err);

	if (!root) {
		CHECK(err.msg[0] != '\0');
		CHECK(strchr(err.msg, '\n') == NULL);
		return 0;
	}
	roundtrip(root, false);
	roundtrip(root, true);
	rf_json_free(root);
	return 0;
}
