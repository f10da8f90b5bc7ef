/* Profiles: where they are looked for, a name resolved to a file, the list
 * `ringfence profile list` prints, a profile's description (src/profile.c
 * loads one into a plan).
 *
 * A name (no slash, no ".json") is looked for as NAME.json in each directory
 * of RINGFENCE_PROFILE_PATH (colon-separated) when it is set, otherwise in
 * /etc/ringfence/profiles, then the data directory's profiles; anything else
 * is a path. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ringfence/cleanup.h"
#include "ringfence/json.h"
#include "ringfence/profile.h"

#define SYSTEM_PROFILE_DIR "/etc/ringfence/profiles"
#define DATA_PROFILE_DIR RF_DATADIR "/profiles"
#define MAX_SEARCH_DIRS 32

struct search_path {
	char buf[PATH_MAX * 2];
	const char *dirs[MAX_SEARCH_DIRS];
	size_t n;
	bool from_env;
};

static int search_path_init(struct search_path *sp, rf_error *err)
{
	const char *env = getenv("RINGFENCE_PROFILE_PATH");
	char *save = NULL;

	sp->n = 0;
	sp->from_env = env != NULL;
	if (!env) {
		sp->dirs[sp->n++] = SYSTEM_PROFILE_DIR;
		sp->dirs[sp->n++] = DATA_PROFILE_DIR;
		return 0;
	}
	if (snprintf(sp->buf, sizeof(sp->buf), "%s", env) >= (int)sizeof(sp->buf))
		return rf_error_set(err, ENAMETOOLONG, "RINGFENCE_PROFILE_PATH is too long");
	for (char *d = strtok_r(sp->buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if (sp->n == MAX_SEARCH_DIRS)
			return rf_error_set(err, 0, "RINGFENCE_PROFILE_PATH has more than %d directories",
					    MAX_SEARCH_DIRS);
		sp->dirs[sp->n++] = d;
	}
	return 0;
}

static const char *search_path_format(const struct search_path *sp, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sp->n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ":" : "", sp->dirs[i]);
	return buf;
}

/* Profile names are file names without ".json": letters, digits, '.', '_', '-',
 * not starting with '.'. */
static bool valid_name(const char *s, size_t len)
{
	if (len == 0 || s[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

static bool is_regular(int dirfd, const char *dir, const char *file)
{
	char path[PATH_MAX];
	struct stat st;

	if (dirfd >= 0)
		return fstatat(dirfd, file, &st, 0) == 0 && S_ISREG(st.st_mode);
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return false;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int rf_profile_resolve(const char *name_or_path, char *path, size_t len, rf_error *err)
{
	struct search_path sp;
	char file[NAME_MAX + 1], shown[512];

	if (strchr(name_or_path, '/') || ends_with(name_or_path, ".json")) {
		if (snprintf(path, len, "%s", name_or_path) >= (int)len)
			return rf_error_set(err, ENAMETOOLONG, "profile path `%.64s...`",
					    name_or_path);
		return 0;
	}
	if (!valid_name(name_or_path, strlen(name_or_path)) || strlen(name_or_path) > NAME_MAX - 5)
		return rf_error_set(err, 0, "profile `%.64s`: expected a name (letters, digits, "
				    "'.', '_', '-') or a path containing '/' or ending in .json",
				    name_or_path);
	if (search_path_init(&sp, err) < 0)
		return -1;
	snprintf(file, sizeof(file), "%s.json", name_or_path);
	for (size_t i = 0; i < sp.n; i++) {
		if (!is_regular(-1, sp.dirs[i], file))
			continue;
		if (snprintf(path, len, "%s/%s", sp.dirs[i], file) >= (int)len)
			return rf_error_set(err, ENAMETOOLONG, "profile path `%s/%s`", sp.dirs[i], file);
		return 0;
	}
	return rf_error_set(err, ENOENT, "profile `%s` not found in %s%s", name_or_path,
			    search_path_format(&sp, shown, sizeof(shown)),
			    sp.from_env ? " (RINGFENCE_PROFILE_PATH)" : "");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_name(char ***names, size_t *n, const char *file, rf_error *err)
{
	size_t len = strlen(file) - strlen(".json");
	char **grown;

	for (size_t i = 0; i < *n; i++)
		if (strlen((*names)[i]) == len && !strncmp((*names)[i], file, len))
			return 0;   /* an earlier directory's profile shadows this one */
	grown = realloc(*names, (*n + 2) * sizeof(*grown));
	if (!grown)
		return rf_error_set(err, ENOMEM, "list profiles");
	*names = grown;
	(*names)[*n] = strndup(file, len);
	if (!(*names)[*n])
		return rf_error_set(err, ENOMEM, "list profiles");
	(*names)[++*n] = NULL;
	return 0;
}

static int list_dir(const char *dir, char ***names, size_t *n, rf_error *err)
{
	cleanup_closedir DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return rf_error_set(err, errno, "open `%s`", dir);
	}
	errno = 0;
	while ((de = readdir(d))) {
		const char *f = de->d_name;

		if (!ends_with(f, ".json") || !valid_name(f, strlen(f) - strlen(".json")) ||
		    !is_regular(dirfd(d), dir, f))
			continue;
		if (add_name(names, n, f, err) < 0)
			return -1;
		errno = 0;
	}
	if (errno)
		return rf_error_set(err, errno, "read `%s`", dir);
	return 0;
}

int rf_profile_list(char ***names, rf_error *err)
{
	cleanup_strv char **out = calloc(1, sizeof(*out));
	struct search_path sp;
	size_t n = 0;

	if (!out)
		return rf_error_set(err, ENOMEM, "list profiles");
	if (search_path_init(&sp, err) < 0)
		return -1;
	for (size_t i = 0; i < sp.n; i++)
		if (list_dir(sp.dirs[i], &out, &n, err) < 0)
			return -1;
	qsort(out, n, sizeof(*out), cmp_names);
	*names = steal_pointer(&out);
	return 0;
}

int rf_profile_describe(const char *name_or_path, char **description, rf_error *err)
{
	char path[PATH_MAX];
	const char *s;
	rf_json *root;

	*description = NULL;
	if (rf_profile_resolve(name_or_path, path, sizeof(path), err) < 0)
		return -1;
	root = rf_json_parse_file(path, err);
	if (!root)
		return rf_error_prefix(err, "profile `%s`", name_or_path);
	s = rf_json_str(rf_json_get(root, "description"));
	if (!s)
		s = rf_json_str(rf_json_get(rf_json_get(root, "ringfence"), "description"));
	if (s && !(*description = strdup(s))) {
		rf_json_free(root);
		return rf_error_set(err, ENOMEM, "profile `%s`", name_or_path);
	}
	rf_json_free(root);
	return 0;
}
