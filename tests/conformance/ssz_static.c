/* Conformance: consensus-spec-tests <preset>/<fork>/ssz_static for the light-client
 * containers (deneb, electra, fulu; mainnet and minimal). Each case: serialized bytes
 * validate, value.yaml encodes to the same bytes, hash_tree_root equals roots.yaml. */
#include <json-c/json.h>
#include <stdlib.h>

#include "consensus/lc_types.h"
#include "consensus/ssz.h"
#include "tests/support/yaml.h"
#include "tests/support/files.h"
#include "tests/support/ssz_case.h"
#include "tests/test.h"

static const ssz_type *container_type(const lc_types *ty, lc_fork fork, const char *name) {
    const lc_fork_types *ft = &ty->fork[fork];
    if (!strcmp(name, "BeaconBlockHeader")) return ft->beacon_header;
    if (!strcmp(name, "SyncCommittee")) return ft->sync_committee;
    if (!strcmp(name, "SyncAggregate")) return ft->sync_aggregate;
    if (!strcmp(name, "ExecutionPayloadHeader")) return ft->execution_header;
    if (!strcmp(name, "LightClientHeader")) return ft->lc_header;
    if (!strcmp(name, "LightClientBootstrap")) return ft->bootstrap;
    if (!strcmp(name, "LightClientUpdate")) return ft->update;
    if (!strcmp(name, "LightClientFinalityUpdate")) return ft->finality_update;
    if (!strcmp(name, "LightClientOptimisticUpdate")) return ft->optimistic_update;
    if (!strcmp(name, "Fork")) return ty->fork_t;
    if (!strcmp(name, "ForkData")) return ty->fork_data;
    if (!strcmp(name, "SigningData")) return ty->signing_data;
    if (!strcmp(name, "Checkpoint")) return ty->checkpoint;
    return NULL;
}

int main(void) {
    test_ctx t;
    test_init(&t, "conf_ssz_static");
    const char *mode = getenv("CANDOR_CONFORMANCE");
    bool quick = !mode || strcmp(mode, "full") != 0;
    static const char *const presets[] = {"mainnet", "minimal"};
    static const struct { const char *name; lc_fork fork; } forks[] = {
        {"deneb", LC_FORK_DENEB}, {"electra", LC_FORK_ELECTRA}, {"fulu", LC_FORK_FULU}};
    int total_dirs = 0;
    for (size_t p = 0; p < 2; p++) {
        lc_types ty;
        if (lc_types_init(&ty, p == 0 ? LC_PRESET_MAINNET : LC_PRESET_MINIMAL) != CD_OK) {
            test_case(&t, "ssz_static/types", false, "cannot build types");
            continue;
        }
        for (size_t f = 0; f < CD_ARRAY_LEN(forks); f++) {
            char rel[256], root[4096];
            snprintf(rel, sizeof rel, "consensus/tests/%s/%s/ssz_static", presets[p], forks[f].name);
            test_vectors_path(root, sizeof root, rel);
            if (!test_path_exists(root)) {
                test_skip(&t, rel, "vectors missing");
                continue;
            }
            total_dirs++;
            char **containers;
            size_t ncont = test_list_dir(root, &containers);
            int fork_passed = 0, fork_failed = 0;
            for (size_t c = 0; c < ncont; c++) {
                int passed = 0, failed = 0;
                char cdir[4096];
                test_join_path(cdir, sizeof cdir, root, containers[c]);
                const ssz_type *ty_c = container_type(&ty, forks[f].fork, containers[c]);
                char **suites;
                size_t ns = test_list_dir(cdir, &suites);
                for (size_t su = 0; su < ns; su++) {
                    char sdir[4096];
                    test_join_path(sdir, sizeof sdir, cdir, suites[su]);
                    char **cases;
                    size_t ncase = test_list_dir(sdir, &cases);
                    for (size_t k = 0; k < ncase; k++) {
                        char kdir[4096], name[512], why[512] = "";
                        test_join_path(kdir, sizeof kdir, sdir, cases[k]);
                        snprintf(name, sizeof name, "ssz_static/%s/%s/%s/%s/%s", presets[p], forks[f].name,
                                 containers[c], suites[su], cases[k]);
                        bool ok = false;
                        if (!ty_c) snprintf(why, sizeof why, "container not implemented");
                        else ok = test_ssz_valid_case(ty_c, kdir, "roots.yaml", why, sizeof why);
                        test_case(&t, name, ok, why);
                        if (ok) passed++;
                        else failed++;
                    }
                    test_list_free(cases, ncase);
                }
                test_list_free(suites, ns);
                fork_passed += passed;
                fork_failed += failed;
                if (failed || t.verbose)
                    fprintf(stderr, "  ssz_static %-7s %-7s %-28s %3d passed, %d failed\n", presets[p], forks[f].name,
                            containers[c], passed, failed);
            }
            fprintf(stderr, "  ssz_static %-7s %-7s %zu containers: %4d passed, %d failed\n", presets[p], forks[f].name,
                    ncont, fork_passed, fork_failed);
            test_list_free(containers, ncont);
        }
        lc_types_free(&ty);
    }
    (void)quick; /* every case is small: quick mode runs them all */
    if (!total_dirs) test_skip(&t, "ssz_static", "no ssz_static vectors found");
    return test_finish(&t);
}
