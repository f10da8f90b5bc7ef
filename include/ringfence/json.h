/* JSON behind one small interface, so the JSON library (yajl today) can be
 * swapped in one file: src/json.c is the only file that includes yajl. */
#ifndef RINGFENCE_JSON_H
#define RINGFENCE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringfence/error.h"

/* ---- writing ----
 * Misuse (a value without a key in an object, unbalanced calls, invalid
 * UTF-8) is remembered and reported by rf_json_writer_finish(). Pretty output
 * indents by two spaces and ends with a newline; compact output has neither. */
typedef struct rf_json_writer rf_json_writer;

rf_json_writer *rf_json_writer_new(bool pretty);
void rf_json_writer_free(rf_json_writer *w);
void rf_json_begin_object(rf_json_writer *w);
void rf_json_end_object(rf_json_writer *w);
void rf_json_begin_array(rf_json_writer *w);
void rf_json_end_array(rf_json_writer *w);
void rf_json_key(rf_json_writer *w, const char *key);
void rf_json_string(rf_json_writer *w, const char *s);  /* NULL -> null */
void rf_json_int(rf_json_writer *w, int64_t v);
void rf_json_uint(rf_json_writer *w, uint64_t v);
void rf_json_double(rf_json_writer *w, double v);  /* shortest exact form; NaN/inf -> null */
void rf_json_bool(rf_json_writer *w, bool v);
void rf_json_null(rf_json_writer *w);
/* Finish: the document (malloc'd, NUL-terminated) or -1 if the calls were unbalanced. */
int rf_json_writer_finish(rf_json_writer *w, char **out, size_t *len, rf_error *err);

/* ---- reading: a parsed tree ----
 * Strict JSON: no comments or trailing data; duplicate keys, NUL characters
 * in strings and nesting deeper than 64 levels are errors. Accessors accept
 * NULL (a missing member) and answer as for an absent value. */
typedef struct rf_json rf_json;   /* opaque node */

typedef enum rf_json_type {
	RF_JSON_NULL, RF_JSON_BOOL, RF_JSON_NUMBER, RF_JSON_STRING,
	RF_JSON_OBJECT, RF_JSON_ARRAY,
} rf_json_type;

/* Parse text; on error the message names the line/column or snippet. */
rf_json *rf_json_parse(const char *text, size_t len, rf_error *err);
rf_json *rf_json_parse_file(const char *path, rf_error *err);
/* The largest JSON file read: profiles, seccomp files, configs and update's
 * resources are kilobytes; nothing huge is slurped. */
#define RF_JSON_MAX_FILE (16u << 20)

/* Read fd to its end and parse it; NAME is the file's name in messages.
 * Larger than RF_JSON_MAX_FILE fails. */
rf_json *rf_json_parse_fd(int fd, const char *name, rf_error *err);
void rf_json_free(rf_json *root);   /* only on a root returned by parse */

rf_json_type rf_json_typeof(const rf_json *n);
const char *rf_json_type_name(rf_json_type t);   /* "object", "integer"... */
/* Object member or NULL. */
const rf_json *rf_json_get(const rf_json *obj, const char *key);
size_t rf_json_object_len(const rf_json *obj);
const char *rf_json_object_key(const rf_json *obj, size_t i);
const rf_json *rf_json_object_value(const rf_json *obj, size_t i);
size_t rf_json_array_len(const rf_json *arr);
const rf_json *rf_json_array_at(const rf_json *arr, size_t i);
const char *rf_json_str(const rf_json *n);       /* NULL unless string */
bool rf_json_is_integer(const rf_json *n);      /* written without fraction or exponent */
/* Integer accessors fail (return -1) unless the number is integral and in range. */
int rf_json_i64(const rf_json *n, int64_t *out);
int rf_json_u64(const rf_json *n, uint64_t *out);
int rf_json_double_val(const rf_json *n, double *out);
int rf_json_bool_val(const rf_json *n, bool *out);

/* The JSON library in use, "yajl 2.1.0", for --version. */
const char *rf_json_library_version(char *buf, size_t len);

#endif
