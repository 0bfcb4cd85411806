#include "src/chainid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/service.h"

typedef struct {
    const char *name;
    uint64_t execution_chain_id;
} known_network;

/* Execution chain ids, as the networks' published configs state them (DEPOSIT_CHAIN_ID of
 * ethereum/consensus-specs configs/mainnet.yaml and eth-clients/{sepolia,holesky,hoodi}
 * metadata/config.yaml, equal to the chainId of their execution genesis). */
static const known_network known_networks[] = {
    {"mainnet", 1}, {"sepolia", 11155111}, {"holesky", 17000}, {"hoodi", 560048},
};

bool svc_known_network(const char *network) {
    for (size_t i = 0; i < CD_ARRAY_LEN(known_networks); i++)
        if (!strcmp(network, known_networks[i].name)) return true;
    return false;
}

/* The value of a top-level `KEY: 123` line (quotes allowed) in YAML text; *found false when
 * the key is absent. */
CD_MUST_CHECK static cd_status yaml_uint(const cd_buf *text, const char *key, const char *file, uint64_t *out,
                                         bool *found, cd_error *err) {
    size_t klen = strlen(key), pos = 0;
    *found = false;
    while (pos < text->len) {
        size_t end = pos;
        while (end < text->len && text->data[end] != '\n') end++;
        const char *line = (const char *)text->data + pos;
        size_t n = end - pos;
        pos = end + 1;
        if (n <= klen || memcmp(line, key, klen) || line[klen] != ':') continue;
        char num[32];
        size_t k = 0;
        size_t i = klen + 1;
        while (i < n && (line[i] == ' ' || line[i] == '\'' || line[i] == '"')) i++;
        while (i < n && line[i] >= '0' && line[i] <= '9' && k + 1 < sizeof num) num[k++] = line[i++];
        num[k] = '\0';
        while (i < n && (line[i] == ' ' || line[i] == '\'' || line[i] == '"' || line[i] == '\r')) i++;
        bool comment = i < n && line[i] == '#';
        char *endp = NULL;
        unsigned long long v = k ? strtoull(num, &endp, 10) : 0;
        if (k == 0 || k > 19 || (i < n && !comment) || v == 0)
            return cd_fail(err, CD_ERR_CONFIG, "%s: %s must be a positive decimal chain id", file, key);
        *out = v;
        *found = true;
        return CD_OK;
    }
    return CD_OK;
}

cd_status svc_execution_chain_id(const char *network, uint64_t flag_id, uint64_t *out, cd_error *err) {
    for (size_t i = 0; i < CD_ARRAY_LEN(known_networks); i++) {
        if (strcmp(network, known_networks[i].name)) continue;
        uint64_t id = known_networks[i].execution_chain_id;
        if (flag_id && flag_id != id)
            return cd_fail(err, CD_ERR_CONFIG, "--execution-chain-id %llu contradicts network %s (execution chain id %llu)",
                           (unsigned long long)flag_id, network, (unsigned long long)id);
        *out = id;
        return CD_OK;
    }
    cd_buf text = {0};
    if (cd_read_file(network, 1 << 20, &text) != CD_OK) {
        cd_buf_free(&text);
        return cd_fail(err, CD_ERR_CONFIG, "network '%s' is not a known name and not a readable file", network);
    }
    uint64_t file_id = 0;
    bool in_file = false;
    cd_status s = yaml_uint(&text, "EXECUTION_CHAIN_ID", network, &file_id, &in_file, err);
    cd_buf_free(&text);
    if (s != CD_OK) return s;
    if (in_file && flag_id && file_id != flag_id)
        return cd_fail(err, CD_ERR_CONFIG, "--execution-chain-id %llu contradicts EXECUTION_CHAIN_ID %llu of %s",
                       (unsigned long long)flag_id, (unsigned long long)file_id, network);
    if (!in_file && !flag_id)
        return cd_fail(err, CD_ERR_CONFIG,
                       "network file %s does not say which execution chain it is: give --execution-chain-id "
                       "(or an EXECUTION_CHAIN_ID key); DEPOSIT_CHAIN_ID names the deposit contract's chain, "
                       "which need not be the execution chain",
                       network);
    *out = flag_id ? flag_id : file_id;
    return CD_OK;
}

/* eth_chainId of endpoint `ep`: CD_OK and *id, or why not. */
CD_MUST_CHECK static cd_status ask_chain_id(svc_pool *p, unsigned ep, uint64_t *id, cd_error *err) {
    json_object *res = NULL;
    cd_status s = svc_rpc(p, ep, "eth_chainId", "[]", &res, err);
    if (s == CD_OK) s = api_get_u64(res, "eth_chainId result", id, err);
    json_object_put(res);
    return s;
}

unsigned svc_check_upstream_chain_ids(svc_service *s) {
    svc_pool *p = &s->exec;
    int64_t now = (int64_t)time(NULL);
    unsigned agree = 0;
    char problem[sizeof s->chain_id_error] = "";
    for (unsigned i = 0; i < p->n; i++) {
        svc_endpoint *e = &p->ep[i];
        int was = atomic_load(&e->chain_check);
        if (was == SVC_CHAIN_AGREES && now - atomic_load(&e->chain_checked_at) < SVC_CHAIN_RECHECK_S) {
            agree++;
            continue;
        }
        uint64_t id = 0;
        cd_error err;
        cd_error_clear(&err);
        cd_status st = ask_chain_id(p, i, &id, &err);
        char q[300];
        if (st != CD_OK) {
            /* Unreachable: keep what we knew (an agreeing upstream stays usable until it
             * answers otherwise; an unchecked one stays unused). */
            if (was == SVC_CHAIN_AGREES) agree++;
            else if (!problem[0])
                snprintf(problem, sizeof problem, "execution upstream %s: eth_chainId failed: %s", e->display,
                         cd_error_text(&err));
            SVC_LOGW(p->log, "chain_id_check_failed", "provider=%s reason=%s", e->display,
                     svc_log_quote(q, sizeof q, cd_error_text(&err)));
            continue;
        }
        atomic_store(&e->chain_checked_at, now);
        if (id == p->expect_chain_id) {
            atomic_store(&e->chain_check, SVC_CHAIN_AGREES);
            if (was != SVC_CHAIN_AGREES)
                SVC_LOGI(p->log, "chain_id_confirmed", "provider=%s chain_id=%llu", e->display, (unsigned long long)id);
            agree++;
            continue;
        }
        atomic_store(&e->chain_check, SVC_CHAIN_DIFFERS);
        snprintf(problem, sizeof problem,
                 "execution upstream %s answers eth_chainId %llu, but answers are signed for chain %llu: not used",
                 e->display, (unsigned long long)id, (unsigned long long)p->expect_chain_id);
        if (was != SVC_CHAIN_DIFFERS)
            SVC_LOGE(p->log, "upstream_wrong_chain", "provider=%s chain_id=%llu expected=%llu", e->display,
                     (unsigned long long)id, (unsigned long long)p->expect_chain_id);
    }
    pthread_mutex_lock(&s->mu);
    snprintf(s->chain_id_error, sizeof s->chain_id_error, "%s", problem);
    pthread_mutex_unlock(&s->mu);
    return agree;
}

bool svc_chain_id_confirmed(svc_service *s) {
    svc_pool *p = &s->exec;
    if (p->n == 0 && p->expect_chain_id == 0) return true;
    if (p->expect_chain_id == 0 || p->expect_chain_id != s->chain_id) return false;
    for (unsigned i = 0; i < p->n; i++)
        if (atomic_load(&p->ep[i].chain_check) == SVC_CHAIN_AGREES) return true;
    return false;
}
