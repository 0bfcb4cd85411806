/* File helpers shared by the conformance runners: paths, sorted directory listings, and
 * the raw-snappy files of consensus-spec-tests. */
#ifndef CANDOR_TEST_FILES_H
#define CANDOR_TEST_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "common/common.h"

/* Writes "a/b" into out; false (and an empty string) if it does not fit. */
bool test_join_path(char *out, size_t cap, const char *a, const char *b);
/* cd_list_dir for test runners: returns the count, 0 when the folder is missing or
 * unreadable (the runner then reports the suite as missing). Free with test_list_free. */
size_t test_list_dir(const char *dir, char ***out);
void test_list_free(char **names, size_t n);
/* Reads a raw-snappy (.ssz_snappy) file and appends the decompressed bytes to out. */
CD_MUST_CHECK cd_status test_read_snappy(const char *path, cd_buf *out);

#endif
