/* One valid case of the consensus-spec-tests SSZ formats (ssz_static, ssz_generic): the
 * serialized bytes validate as `t`, value.yaml encodes to the same bytes, and the
 * hash_tree_root equals the "root" of `roots_file` (roots.yaml or meta.yaml). */
#ifndef CANDOR_TEST_SSZ_CASE_H
#define CANDOR_TEST_SSZ_CASE_H

#include <stdbool.h>
#include <stddef.h>

#include "consensus/ssz.h"

/* True when the case in folder `dir` passes; otherwise `why` says what differed. */
bool test_ssz_valid_case(const ssz_type *t, const char *dir, const char *roots_file, char *why, size_t whylen);

#endif
