/* src/json.c: the writer's exact output, the reader's tree, its integer
 * accessors and its error messages. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "cases.h"
#include "ringfence/cleanup.h"
#include "ringfence/json.h"

/* ---- writer ---- */

/* Each case drives the writer with a script of one-letter ops:
 * { } [ ] object/array, k key, s string, S null string, i int, u uint,
 * d double, t true, f false, n null. Arguments are taken in order. */
struct case_write {
	const char *name;
	bool pretty;
	const char *ops;
	const char *strs[6];
	int64_t ints[4];
	uint64_t uints[4];
	double dbls[4];
	const char *want;       /* exact output, or NULL when finish must fail */
	const char *err;        /* message fragment when it fails */
};

static const struct case_write write_cases[] = {
	{ "empty object", false, "{}", .want = "{}" },
	{ "empty object pretty", true, "{}", .want = "{}\n" },
	{ "scalars", false, "{kikukskt}", { "a", "b", "c", "x y", "d" }, { -5 }, { UINT64_MAX },
	  .want = "{\"a\":-5,\"b\":18446744073709551615,\"c\":\"x y\",\"d\":true}" },
	{ "int64 extremes", false, "[ii]", .ints = { INT64_MIN, INT64_MAX },
	  .want = "[-9223372036854775808,9223372036854775807]" },
	{ "null forms", false, "[nSf]", .want = "[null,null,false]" },
	{ "escaping", false, "[s]", { "q\"b\\n\n\t\x01/\xc3\xa9" },
	  .want = "[\"q\\\"b\\\\n\\n\\t\\u0001/\xc3\xa9\"]" },
	{ "doubles shortest", false, "[dddd]", .dbls = { 0.1, 1.5, 100, -2.5e-7 },
	  .want = "[0.1,1.5,100,-2.5e-07]" },
	{ "large doubles", false, "[ddd]", .dbls = { 1e16, 123456789012.5, 1e20 },
	  .want = "[10000000000000000,123456789012.5,1e+20]" },
	{ "non-finite double is null", false, "[dd]", .dbls = { NAN, INFINITY },
	  .want = "[null,null]" },
	{ "pretty nested", true, "{k{ki}k[]k[iu]k{}}", { "a", "b", "c", "d", "e" }, { 1, 2 }, { 3 },
	  .want = "{\n  \"a\": {\n    \"b\": 1\n  },\n  \"c\": [],\n  \"d\": [\n    2,\n    3\n  ],\n"
		  "  \"e\": {}\n}\n" },
	{ "pretty keeps punctuation in strings", true, "{ks}", { "k", "a,{b}:[c]\"" },
	  .want = "{\n  \"k\": \"a,{b}:[c]\\\"\"\n}\n" },
	{ "top-level scalar", false, "u", .uints = { 7 }, .want = "7" },
	{ "nothing written", false, "", .err = "calls are unbalanced" },
	{ "unclosed object", false, "{ki", { "a" }, .err = "calls are unbalanced" },
	{ "extra close", false, "[]]", .err = "calls are unbalanced" },
	{ "mismatched close", false, "[}", .err = "calls are unbalanced" },
	{ "value without key", false, "{i}", .err = "value without a key inside an object" },
	{ "key in array", false, "[k]", { "a" }, .err = "key outside an object" },
	{ "key without value", false, "{k}", { "a" }, .err = "calls are unbalanced" },
	{ "two top-level values", false, "{}{}", .err = "second top-level value" },
	{ "invalid utf-8", false, "[s]", { "\xff\xfe" }, .err = "string is not valid utf-8" },
};

static void run_ops(rf_json_writer *w, const struct case_write *c)
{
	size_t si = 0, ii = 0, ui = 0, di = 0;

	for (const char *op = c->ops; *op; op++) {
		switch (*op) {
		case '{': rf_json_begin_object(w); break;
		case '}': rf_json_end_object(w); break;
		case '[': rf_json_begin_array(w); break;
		case ']': rf_json_end_array(w); break;
		case 'k': rf_json_key(w, c->strs[si++]); break;
		case 's': rf_json_string(w, c->strs[si++]); break;
		case 'S': rf_json_string(w, NULL); break;
		case 'i': rf_json_int(w, c->ints[ii++]); break;
		case 'u': rf_json_uint(w, c->uints[ui++]); break;
		case 'd': rf_json_double(w, c->dbls[di++]); break;
		case 't': rf_json_bool(w, true); break;
		case 'f': rf_json_bool(w, false); break;
		case 'n': rf_json_null(w); break;
		default: fail_msg("bad op %c", *op);
		}
	}
}

static void test_write(void **state)
{
	const struct case_write *c = *state;
	rf_json_writer *w = rf_json_writer_new(c->pretty);
	rf_error err = { 0 };
	char *out = NULL;
	size_t len = 0;
	int rc;

	assert_non_null(w);
	run_ops(w, c);
	rc = rf_json_writer_finish(w, &out, &len, &err);
	rf_json_writer_free(w);
	if (!c->want) {
		assert_int_equal(rc, -1);
		assert_null(out);
		if (!strstr(err.msg, c->err))
			fail_msg("message \"%s\" lacks \"%s\"", err.msg, c->err);
		return;
	}
	if (rc != 0)
		fail_msg("finish failed: %s", err.msg);
	assert_string_equal(out, c->want);
	assert_int_equal(len, strlen(c->want));
	free(out);
}

/* Whatever the writer produced parses back to the same values. */
static void test_write_roundtrip(void **state)
{
	rf_json_writer *w = rf_json_writer_new(true);
	rf_error err = { 0 };
	char *out = NULL;
	rf_json *root;
	uint64_t u;
	int64_t i;
	double d;

	rf_json_begin_object(w);
	rf_json_key(w, "u");
	rf_json_uint(w, UINT64_MAX);
	rf_json_key(w, "i");
	rf_json_int(w, INT64_MIN);
	rf_json_key(w, "d");
	rf_json_double(w, 1.0 / 3.0);
	rf_json_key(w, "s");
	rf_json_string(w, "tab\there \"quoted\"");
	rf_json_end_object(w);
	assert_int_equal(rf_json_writer_finish(w, &out, NULL, &err), 0);
	rf_json_writer_free(w);
	root = rf_json_parse(out, strlen(out), &err);
	assert_non_null(root);
	assert_int_equal(rf_json_u64(rf_json_get(root, "u"), &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(rf_json_i64(rf_json_get(root, "i"), &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(rf_json_double_val(rf_json_get(root, "d"), &d), 0);
	assert_true(d == 1.0 / 3.0);
	assert_string_equal(rf_json_str(rf_json_get(root, "s")), "tab\there \"quoted\"");
	rf_json_free(root);
	free(out);
}

/* ---- reader: tree access ---- */

static const char nested_doc[] =
	"{\n"
	"  \"process\": {\"args\": [\"sh\", \"-c\", \"true\"], \"terminal\": false},\n"
	"  \"linux\": {\"resources\": {\"memory\": {\"limit\": 536870912}},\n"
	"            \"empty\": {}, \"list\": []},\n"
	"  \"n\": null, \"pi\": 3.25, \"neg\": -12\n"
	"}\n";

static void test_tree(void **state)
{
	rf_error err = { 0 };
	rf_json *root = rf_json_parse(nested_doc, strlen(nested_doc), &err);
	const rf_json *args, *mem, *linux_;
	bool b = true;
	uint64_t u = 0;
	int64_t i = 0;
	double d = 0;

	if (!root)
		fail_msg("parse failed: %s", err.msg);
	assert_int_equal(rf_json_typeof(root), RF_JSON_OBJECT);
	assert_int_equal(rf_json_object_len(root), 5);
	/* members keep document order */
	assert_string_equal(rf_json_object_key(root, 0), "process");
	assert_string_equal(rf_json_object_key(root, 4), "neg");
	assert_null(rf_json_object_key(root, 5));
	assert_ptr_equal(rf_json_object_value(root, 1), rf_json_get(root, "linux"));

	args = rf_json_get(rf_json_get(root, "process"), "args");
	assert_int_equal(rf_json_typeof(args), RF_JSON_ARRAY);
	assert_int_equal(rf_json_array_len(args), 3);
	assert_string_equal(rf_json_str(rf_json_array_at(args, 1)), "-c");
	assert_null(rf_json_array_at(args, 3));
	assert_int_equal(rf_json_bool_val(rf_json_get(rf_json_get(root, "process"), "terminal"), &b), 0);
	assert_false(b);

	linux_ = rf_json_get(root, "linux");
	mem = rf_json_get(rf_json_get(rf_json_get(linux_, "resources"), "memory"), "limit");
	assert_true(rf_json_is_integer(mem));
	assert_int_equal(rf_json_u64(mem, &u), 0);
	assert_true(u == 536870912);
	assert_int_equal(rf_json_object_len(rf_json_get(linux_, "empty")), 0);
	assert_int_equal(rf_json_typeof(rf_json_get(linux_, "list")), RF_JSON_ARRAY);
	assert_int_equal(rf_json_array_len(rf_json_get(linux_, "list")), 0);

	assert_int_equal(rf_json_typeof(rf_json_get(root, "n")), RF_JSON_NULL);
	assert_int_equal(rf_json_double_val(rf_json_get(root, "pi"), &d), 0);
	assert_true(d == 3.25);
	assert_false(rf_json_is_integer(rf_json_get(root, "pi")));
	assert_int_equal(rf_json_i64(rf_json_get(root, "neg"), &i), 0);
	assert_true(i == -12);
	assert_int_equal(rf_json_u64(rf_json_get(root, "neg"), &u), -1);

	/* Missing members and wrong types answer "absent", never crash. */
	assert_null(rf_json_get(root, "nope"));
	assert_null(rf_json_get(args, "sh"));
	assert_null(rf_json_get(rf_json_get(root, "nope"), "deeper"));
	assert_null(rf_json_str(rf_json_get(root, "pi")));
	assert_int_equal(rf_json_array_len(root), 0);
	assert_int_equal(rf_json_bool_val(rf_json_get(root, "n"), &b), -1);
	assert_int_equal(rf_json_u64(NULL, &u), -1);
	rf_json_free(root);
}

static void test_type_names(void **state)
{
	assert_string_equal(rf_json_type_name(RF_JSON_NULL), "null");
	assert_string_equal(rf_json_type_name(RF_JSON_BOOL), "boolean");
	assert_string_equal(rf_json_type_name(RF_JSON_NUMBER), "number");
	assert_string_equal(rf_json_type_name(RF_JSON_STRING), "string");
	assert_string_equal(rf_json_type_name(RF_JSON_OBJECT), "object");
	assert_string_equal(rf_json_type_name(RF_JSON_ARRAY), "array");
}

/* ---- reader: numbers ---- */

enum { NOPE = 0, OK = 1 };

struct case_number {
	const char *text;       /* a JSON number */
	int is_int, u_ok, i_ok;
	uint64_t u;
	int64_t i;
};

static const struct case_number number_cases[] = {
	{ "0", OK, OK, OK, 0, 0 },
	{ "-0", OK, NOPE, OK, 0, 0 },
	{ "42", OK, OK, OK, 42, 42 },
	{ "-1", OK, NOPE, OK, 0, -1 },
	{ "9223372036854775807", OK, OK, OK, INT64_MAX, INT64_MAX },
	{ "9223372036854775808", OK, OK, NOPE, UINT64_C(9223372036854775808), 0 },
	{ "18446744073709551615", OK, OK, NOPE, UINT64_MAX, 0 },
	{ "18446744073709551616", OK, NOPE, NOPE, 0, 0 },
	{ "-9223372036854775808", OK, NOPE, OK, 0, INT64_MIN },
	{ "-9223372036854775809", OK, NOPE, NOPE, 0, 0 },
	{ "1.0", NOPE, NOPE, NOPE, 0, 0 },
	{ "1.5", NOPE, NOPE, NOPE, 0, 0 },
	{ "1e3", NOPE, NOPE, NOPE, 0, 0 },
	{ "1E3", NOPE, NOPE, NOPE, 0, 0 },
	{ "-2.5e-3", NOPE, NOPE, NOPE, 0, 0 },
};

static void test_number(void **state)
{
	const struct case_number *c = *state;
	rf_error err = { 0 };
	char doc[64];
	rf_json *root;
	const rf_json *n;
	uint64_t u = 12345;
	int64_t i = 12345;

	snprintf(doc, sizeof(doc), "[%s]", c->text);
	root = rf_json_parse(doc, strlen(doc), &err);
	if (!root)
		fail_msg("parse `%s` failed: %s", doc, err.msg);
	n = rf_json_array_at(root, 0);
	assert_int_equal(rf_json_typeof(n), RF_JSON_NUMBER);
	assert_int_equal(rf_json_is_integer(n), c->is_int);
	assert_int_equal(rf_json_u64(n, &u), c->u_ok ? 0 : -1);
	assert_int_equal(rf_json_i64(n, &i), c->i_ok ? 0 : -1);
	if (c->u_ok)
		assert_true(u == c->u);
	else
		assert_true(u == 12345);        /* untouched on failure */
	if (c->i_ok)
		assert_true(i == c->i);
	else
		assert_true(i == 12345);
	rf_json_free(root);
}

/* ---- reader: malformed input ---- */

struct case_bad {
	const char *name;
	const char *text;
	const char *want;       /* exact message */
};

static const struct case_bad bad_cases[] = {
	{ "empty", "", "line 1, column 1: unexpected end of input" },
	{ "whitespace only", " \n ", "line 2, column 2: unexpected end of input" },
	{ "unclosed array", "[1,2", "line 1, column 5: unexpected end of input" },
	{ "bare key", "{\"a\": 1, b}",
	  "line 1, column 10: invalid char in json text near `{\"a\": 1, b}`" },
	{ "trailing comma on line 3", "{\n \"x\": [1, 2,\n  ]}",
	  "line 3, column 3: unallowed token at this point in JSON text near `{  \"x\": [1, 2,   ]}`" },
	{ "trailing garbage", "[1] x", "line 1, column 5: trailing garbage near `[1] x`" },
	{ "comment", "// hi\n{}", "line 1, column 1: probable comment found in input text, comments are not enabled near `// hi {}`" },
	{ "single quotes", "['a']", "line 1, column 2: invalid char in json text near `['a']`" },
	{ "leading zero", "[01]", "line 1, column 3: after array element, I expect ',' or ']' near `[01]`" },
	{ "nan", "[NaN]", "line 1, column 2: invalid char in json text near `[NaN]`" },
	{ "duplicate key", "{\"a\":1,\"b\":2,\"a\":3}",
	  "line 1, column 19: duplicate key `a` near `{\"a\":1,\"b\":2,\"a\":3}`" },
	{ "nul in string", "[\"a\\u0000b\"]",
	  "line 1, column 11: string contains a NUL character near `[\"a\\u0000b\"]`" },
	{ "nul in key", "{\"a\\u0000\":1}",
	  "line 1, column 10: key contains a NUL character near `{\"a\\u0000\":1}`" },
	{ "invalid utf-8", "[\"\xff\"]", "line 1, column 3: invalid bytes in UTF8 string near `[\" \"]`" },
	{ "control char in string", "[\"a\tb\"]",
	  "line 1, column 3: invalid character inside string near `[\"a b\"]`" },
	{ "too deep",
	  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	  "line 1, column 65: nested deeper than 64 levels near `[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]`" },
	{ "duplicate key with control bytes", "{\"a\\n`\\u001b\":1,\"a\\n`\\u001b\":2}",
	  "line 1, column 31: duplicate key `a   ` near `1b\":1,\"a\\n \\u001b\":2}`" },
	{ "backtick and newline in snippet", "{\"`\":\n x}",
	  "line 2, column 2: invalid char in json text near `{\" \":  x}`" },
};

static void test_bad(void **state)
{
	const struct case_bad *c = *state;
	rf_error err = { 0 };
	rf_json *root = rf_json_parse(c->text, strlen(c->text), &err);

	if (root) {
		rf_json_free(root);
		fail_msg("`%s` parsed", c->text);
	}
	assert_string_equal(err.msg, c->want);
	assert_int_equal(err.errnum, 0);
}

/* The parser honours len: bytes after it are not part of the document, and
 * a NUL inside the buffer is just an invalid byte. */
static void test_len_bounds(void **state)
{
	rf_error err = { 0 };
	rf_json *root = rf_json_parse("[1] trailing", 3, &err);

	assert_non_null(root);
	rf_json_free(root);
	assert_null(rf_json_parse("[1]\0[2]", 7, &err));
	assert_non_null(strstr(err.msg, "line 1, column 4:"));
}

/* ---- files ---- */

static void test_file(void **state)
{
	char path[] = "/tmp/rf-test-json-XXXXXX";
	static const char bad[] = "{\n  \"a\": [1,\n}\n";
	rf_error err = { 0 };
	rf_json *root;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
	close(fd);
	assert_null(rf_json_parse_file(path, &err));
	assert_true(strncmp(err.msg, "parse `/tmp/rf-test-json-", 25) == 0);
	assert_non_null(strstr(err.msg, "`: line 3, column 1: "));

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, nested_doc, strlen(nested_doc)), (ssize_t)strlen(nested_doc));
	close(fd);
	root = rf_json_parse_file(path, &err);
	assert_non_null(root);
	assert_int_equal(rf_json_object_len(root), 5);
	rf_json_free(root);
	unlink(path);

	assert_null(rf_json_parse_file(path, &err));
	assert_int_equal(err.errnum, ENOENT);
	assert_true(strncmp(err.msg, "open `/tmp/rf-test-json-", 24) == 0);
}

int main(void)
{
	struct rf_cases cases = { 0 };

	for (size_t i = 0; i < RF_ARRAY_SIZE(write_cases); i++)
		rf_case_add(&cases, test_write, &write_cases[i], "write: %s", write_cases[i].name);
	rf_case_add(&cases, test_write_roundtrip, NULL, "write: output parses back");
	rf_case_add(&cases, test_tree, NULL, "read: nested objects and arrays");
	rf_case_add(&cases, test_type_names, NULL, "read: type names");
	for (size_t i = 0; i < RF_ARRAY_SIZE(number_cases); i++)
		rf_case_add(&cases, test_number, &number_cases[i], "read: number %s",
			    number_cases[i].text);
	for (size_t i = 0; i < RF_ARRAY_SIZE(bad_cases); i++)
		rf_case_add(&cases, test_bad, &bad_cases[i], "read: rejects %s", bad_cases[i].name);
	rf_case_add(&cases, test_len_bounds, NULL, "read: honours len");
	rf_case_add(&cases, test_file, NULL, "read: files and their errors");
	return rf_cases_run(&cases, "json");
}
