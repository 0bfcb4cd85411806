/* Tests for attest/: report-data layout, the mock TEE round trip, every real TDX quote and
 * Nitro document in $CANDOR_DATA (measurements as their SOURCES.md gives them), single-byte
 * tampering in every region with its precise error, bad inputs, collateral, policy and
 * event-log replay. Offsets used for tampering are computed here from the published quote
 * layout, independently of the parser. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "attest/attest.h"
#include "tests/test.h"

#define TDX_DIR "tdx-go-tdx-guest"
#define NITRO_DIR "nitro-evervault"

/* ---- helpers ------------------------------------------------------------------------ */

static bool load_data(const char *rel, cd_buf *out) {
    char path[1024];
    test_data_path(path, sizeof path, rel);
    return cd_read_file(path, 1 << 20, out) == CD_OK;
}

static int64_t at_time(const char *iso) {
    struct tm tmv;
    memset(&tmv, 0, sizeof tmv);
    if (!strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tmv)) return -1;
    return (int64_t)timegm(&tmv);
}

static void sha256(const void *d, size_t n, uint8_t out[32]) {
    unsigned int len = 32;
    EVP_Digest(d, n, out, &len, EVP_sha256(), NULL);
}

static cd_status verify_at(cd_bytes q, int64_t at, bool accept_debug, att_report *rep, cd_error *err) {
    att_verify_opts o = {.at = at, .accept_debug = accept_debug};
    return att_verify(q, &o, rep, err);
}

static bool hex_eq(const uint8_t *got, size_t n, const char *hex) {
    uint8_t want[128];
    long l = test_unhex(hex, want, sizeof want);
    return l == (long)n && memcmp(got, want, n) == 0;
}

#define CHECK_HEX(t, got, n, hex)                                                           \
    do {                                                                                    \
        if (!hex_eq((got), (n), (hex)))                                                     \
            test_fail_at((t), __FILE__, __LINE__, "%s: got %s want %s", #got, test_hex((got), (n)), (hex)); \
    } while (0)

/* ---- report data ---------------------------------------------------------------------- */

static void test_report_data_layout(test_ctx *t) {
    uint8_t pub[65];
    for (int i = 0; i < 65; i++) pub[i] = (uint8_t)(i * 7 + 4);
    pub[0] = 0x04;
    cd_hash32 cfg;
    att_config_digest("0.1.0", cd_bytes_make("{\"network\":\"mainnet\"}", 21), &cfg);
    /* Recompute the documented layout by hand. */
    uint8_t cbuf[64], want_cfg[32];
    size_t n = 0;
    memcpy(cbuf, "candor/config/v1", 17); n = 17;
    memcpy(cbuf + n, "0.1.0", 5); n += 5;
    cbuf[n++] = 0;
    uint8_t full[128];
    memcpy(full, cbuf, n);
    memcpy(full + n, "{\"network\":\"mainnet\"}", 21);
    sha256(full, n + 21, want_cfg);
    CHECK_EQ_BYTES(t, cfg.b, 32, want_cfg, 32);

    uint8_t rd[64], want[64], buf[256];
    const uint8_t nonce[5] = {1, 2, 3, 4, 5};
    CHECK_OK(t, att_report_data(cd_bytes_make(pub, 65), &cfg, cd_bytes_make(nonce, 5), rd));
    n = 0;
    memcpy(buf, "candor/report-data/v1", 22); n = 22;
    buf[n++] = 65;
    memcpy(buf + n, pub, 65); n += 65;
    memcpy(buf + n, cfg.b, 32); n += 32;
    sha256(buf, n, want);
    memcpy(buf, "candor/nonce/v1", 16);
    memcpy(buf + 16, nonce, 5);
    sha256(buf, 21, want + 32);
    CHECK_EQ_BYTES(t, rd, 64, want, 64);

    static const uint8_t zero[32] = {0};
    CHECK_OK(t, att_report_data(cd_bytes_make(pub, 65), &cfg, cd_bytes_make(NULL, 0), rd));
    CHECK_EQ_BYTES(t, rd + 32, 32, zero, 32);
    CHECK_EQ_BYTES(t, rd, 32, want, 32);
    /* Bounds */
    uint8_t big[ATT_MAX_NONCE_LEN + 1] = {0};
    CHECK_ERR(t, att_report_data(cd_bytes_make(pub, 0), &cfg, cd_bytes_make(NULL, 0), rd), CD_ERR_INVALID_ARG);
    CHECK_ERR(t, att_report_data(cd_bytes_make(big, ATT_MAX_PUBKEY_LEN + 1), &cfg, cd_bytes_make(NULL, 0), rd), CD_ERR_INVALID_ARG);
    CHECK_ERR(t, att_report_data(cd_bytes_make(pub, 65), &cfg, cd_bytes_make(big, sizeof big), rd), CD_ERR_INVALID_ARG);
}

/* ---- mock TEE ---------------------------------------------------------------------------- */

static void rm_dir(const char *dir) {
    char p[600];
    snprintf(p, sizeof p, "%s/mock-tee-key.pem", dir); unlink(p);
    snprintf(p, sizeof p, "%s/sealing.key", dir); unlink(p);
    rmdir(dir);
}

static void test_mock_round_trip(test_ctx *t) {
    char dir[] = "/tmp/candor-att-XXXXXX";
    CHECK(t, mkdtemp(dir) != NULL);
    uint8_t mr[48];
    memset(mr, 0xab, sizeof mr);
    att_provider_config cfg = {.name = "mock", .key_dir = dir, .mock_measurement = mr};
    att_provider *p = NULL;
    cd_error err;
    CHECK_OK(t, att_provider_open(&cfg, &p, &err));
    if (!p) { rm_dir(dir); return; }
    CHECK_EQ_STR(t, att_provider_name(p), "mock");
    CHECK(t, att_provider_insecure(p));
    char kp[600];
    struct stat sb;
    snprintf(kp, sizeof kp, "%s/mock-tee-key.pem", dir);
    CHECK(t, stat(kp, &sb) == 0 && (sb.st_mode & 0777) == 0600);

    uint8_t pub[65] = {0x04};
    for (int i = 1; i < 65; i++) pub[i] = (uint8_t)i;
    cd_hash32 cfgd;
    att_config_digest("test", cd_bytes_make(NULL, 0), &cfgd);
    const uint8_t nonce[] = "fresh-nonce-123";
    att_evidence ev;
    CHECK_OK(t, att_attest(p, cd_bytes_make(pub, 65), &cfgd, cd_bytes_make(nonce, 15), &ev, &err));
    CHECK_EQ_INT(t, ev.quote.len, 249);
    CHECK_EQ_INT(t, att_detect_format(cd_buf_bytes(&ev.quote)), ATT_FORMAT_MOCK);

    att_report rep;
    att_verify_opts strict = {0}, lax = {.accept_mock = true};
    /* Flagged insecure and rejected unless accepted. */
    CHECK_ERR(t, att_verify(cd_buf_bytes(&ev.quote), &strict, &rep, &err), CD_ERR_ATT_INSECURE);
    CHECK(t, rep.signature_ok && rep.insecure);
    CHECK_OK(t, att_verify(cd_buf_bytes(&ev.quote), &lax, &rep, &err));
    CHECK(t, rep.insecure);
    CHECK_EQ_BYTES(t, rep.report_data, 64, ev.report_data, 64);
    CHECK_EQ_BYTES(t, rep.mrtd, 48, mr, 48);
    /* Mock id = keccak256(measurement); the value was computed outside Candor (@noble/hashes). */
    uint8_t mid[32];
    CHECK_OK(t, att_measurement_id(&rep, mid));
    CHECK_HEX(t, mid, 32, "4047e6f5296df0630e6d1021aa7bc4c8cbb651c76e1d8f6ac28b7483d693f4dd");
    /* A Nitro report without PCR0..2, or an unknown format, has no id. */
    att_report nitro;
    memset(&nitro, 0, sizeof nitro);
    nitro.format = ATT_FORMAT_NITRO;
    nitro.pcr_present = 3;
    CHECK_ERR(t, att_measurement_id(&nitro, mid), CD_ERR_INVALID_ARG);
    nitro.pcr_present = 7;
    CHECK_OK(t, att_measurement_id(&nitro, mid));
    CHECK_HEX(t, mid, 32, "cd2e66bf0b91eeedc6c648ae9335a78d7c9a4ab0ef33612a824d91cdc68a4f21");
    nitro.format = ATT_FORMAT_UNKNOWN;
    CHECK_ERR(t, att_measurement_id(&nitro, mid), CD_ERR_INVALID_ARG);

    /* Binding: right key + nonce pass; any other key, nonce or config fails. */
    CHECK_OK(t, att_verify_binding(cd_buf_bytes(&ev.quote), cd_bytes_make(pub, 65), &cfgd, cd_bytes_make(nonce, 15), NULL, &lax, &rep, &err));
    CHECK_ERR(t, att_verify_binding(cd_buf_bytes(&ev.quote), cd_bytes_make(pub, 65), &cfgd, cd_bytes_make(nonce, 15), NULL, &strict, &rep, &err), CD_ERR_ATT_INSECURE);
    CHECK_ERR(t, att_verify_binding(cd_buf_bytes(&ev.quote), cd_bytes_make(pub, 65), &cfgd, cd_bytes_make(nonce, 14), NULL, &lax, &rep, &err), CD_ERR_ATT_BINDING);
    uint8_t pub2[65];
    memcpy(pub2, pub, 65);
    pub2[64] ^= 1;
    CHECK_ERR(t, att_verify_binding(cd_buf_bytes(&ev.quote), cd_bytes_make(pub2, 65), &cfgd, cd_bytes_make(nonce, 15), NULL, &lax, &rep, &err), CD_ERR_ATT_BINDING);
    cd_hash32 other;
    att_config_digest("test2", cd_bytes_make(NULL, 0), &other);
    CHECK_ERR(t, att_verify_binding(cd_buf_bytes(&ev.quote), cd_bytes_make(pub, 65), &other, cd_bytes_make(nonce, 15), NULL, &lax, &rep, &err), CD_ERR_ATT_BINDING);

    /* Policy on the mock measurement. */
    char pol[400], hex[100];
    cd_hex_encode(hex, mr, 48);
    snprintf(pol, sizeof pol, "[{\"name\":\"dev\",\"format\":\"mock\",\"mrtd\":\"%s\"}]", hex + 2);
    att_policy *policy = NULL;
    CHECK_OK(t, att_policy_parse(pol, strlen(pol), &policy, &err));
    CHECK_OK(t, att_verify_binding(cd_buf_bytes(&ev.quote), cd_bytes_make(pub, 65), &cfgd, cd_bytes_make(nonce, 15), policy, &lax, &rep, &err));
    att_policy_free(policy);
    memset(hex + 2, '0', 96);
    snprintf(pol, sizeof pol, "[{\"name\":\"dev\",\"format\":\"mock\",\"mrtd\":\"%s\"}]", hex + 2);
    CHECK_OK(t, att_policy_parse(pol, strlen(pol), &policy, &err));
    CHECK_ERR(t, att_verify_binding(cd_buf_bytes(&ev.quote), cd_bytes_make(pub, 65), &cfgd, cd_bytes_make(nonce, 15), policy, &lax, &rep, &err), CD_ERR_ATT_POLICY);
    att_policy_free(policy);

    /* Every single flipped byte fails: magic -> malformed, key -> bad point or signature,
     * everything else -> signature. */
    for (size_t i = 0; i < ev.quote.len; i++) {
        ev.quote.data[i] ^= 0x01;
        cd_status s = att_verify(cd_buf_bytes(&ev.quote), &lax, &rep, &err);
        ev.quote.data[i] ^= 0x01;
        bool ok = i < 8 ? s == CD_ERR_ATT_BAD_QUOTE
                : (i >= 120 && i < 185) ? (s == CD_ERR_ATT_BAD_QUOTE || s == CD_ERR_ATT_BAD_SIGNATURE)
                : s == CD_ERR_ATT_BAD_SIGNATURE;
        if (!ok) test_fail_at(t, __FILE__, __LINE__, "mock byte %zu flipped: got %s", i, cd_status_name(s));
    }
    CHECK_ERR(t, att_verify(cd_bytes_make(ev.quote.data, 200), &lax, &rep, &err), CD_ERR_TRUNCATED);
    CHECK_OK(t, cd_buf_push(&ev.quote, 0));
    CHECK_ERR(t, att_verify(cd_buf_bytes(&ev.quote), &lax, &rep, &err), CD_ERR_TRAILING_DATA);

    /* Same key after re-opening; get_quote with raw report data. */
    att_provider *p2 = NULL;
    CHECK_OK(t, att_provider_open(&cfg, &p2, &err));
    if (p2) {
        cd_buf q2 = {0};
        CHECK_OK(t, att_get_quote(p2, ev.report_data, &q2, &err));
        CHECK_OK(t, att_verify(cd_buf_bytes(&q2), &lax, &rep, &err));
        CHECK_EQ_BYTES(t, rep.mock_key, 65, ev.quote.data + 120, 65);
        cd_buf_free(&q2);
    }

    /* Sealing key: stable per label, different across labels, file is 0600, not from a TEE. */
    uint8_t k1[32], k2[32], k3[32];
    bool tee = true;
    CHECK_OK(t, att_sealing_key(p, "store", k1, &tee, &err));
    CHECK(t, !tee);
    CHECK_OK(t, att_sealing_key(p2 ? p2 : p, "store", k2, &tee, &err));
    CHECK_OK(t, att_sealing_key(p, "other", k3, &tee, &err));
    CHECK_EQ_BYTES(t, k1, 32, k2, 32);
    CHECK(t, memcmp(k1, k3, 32) != 0);
    snprintf(kp, sizeof kp, "%s/sealing.key", dir);
    CHECK(t, stat(kp, &sb) == 0 && (sb.st_mode & 0777) == 0600 && sb.st_size == 32);
    chmod(kp, 0644); /* a world-readable key file is refused */
    CHECK_ERR(t, att_sealing_key(p, "store", k1, &tee, &err), CD_ERR_ATT_PROVIDER);

    att_evidence_free(&ev);
    att_provider_close(p);
    att_provider_close(p2);
    rm_dir(dir);
}

/* ATTEST.json: produced from a mock quote, verified end to end, and every field matters. */
static void test_attestation_document(test_ctx *t) {
    char dir[] = "/tmp/candor-att-XXXXXX";
    CHECK(t, mkdtemp(dir) != NULL);
    att_provider_config cfg = {.name = "mock", .key_dir = dir};
    att_provider *p = NULL;
    cd_error err;
    CHECK_OK(t, att_provider_open(&cfg, &p, &err));
    if (!p) { rm_dir(dir); return; }
    uint8_t pub[65] = {0x04};
    for (int i = 1; i < 65; i++) pub[i] = (uint8_t)(200 - i);
    const char *config = "{\"network\":\"mainnet\"}";
    cd_hash32 digest;
    att_config_digest("0.1.0", cd_bytes_make(config, strlen(config)), &digest);
    const uint8_t nonce[4] = {9, 8, 7, 6};
    att_evidence ev;
    CHECK_OK(t, att_attest(p, cd_bytes_make(pub, 65), &digest, cd_bytes_make(nonce, 4), &ev, &err));
    cd_buf doc = {0};
    CHECK_OK(t, att_attestation_json(&ev, "mock", cd_bytes_make(pub, 65), "0.1.0", cd_bytes_make(config, strlen(config)),
                                     cd_bytes_make(nonce, 4), &doc));
    CHECK_OK(t, cd_buf_push(&doc, 0));
    doc.len--;
    char *j = (char *)doc.data;
    att_verify_opts lax = {.accept_mock = true}, strict = {0};
    att_report rep;
    cd_buf key = {0};
    CHECK_OK(t, att_attestation_verify(j, doc.len, cd_bytes_make(NULL, 0), cd_bytes_make(NULL, 0), NULL, &lax, &rep, &key, &err));
    CHECK_EQ_BYTES(t, key.data, key.len, pub, 65);
    CHECK_OK(t, att_attestation_verify(j, doc.len, cd_bytes_make(pub, 65), cd_bytes_make(nonce, 4), NULL, &lax, &rep, NULL, &err));
    CHECK_ERR(t, att_attestation_verify(j, doc.len, cd_bytes_make(pub, 65), cd_bytes_make(nonce, 4), NULL, &strict, &rep, NULL, &err), CD_ERR_ATT_INSECURE);
    uint8_t pub2[65];
    memcpy(pub2, pub, 65);
    pub2[1] ^= 1;
    CHECK_ERR(t, att_attestation_verify(j, doc.len, cd_bytes_make(pub2, 65), cd_bytes_make(NULL, 0), NULL, &lax, &rep, NULL, &err), CD_ERR_ATT_BINDING);
    CHECK_ERR(t, att_attestation_verify(j, doc.len, cd_bytes_make(NULL, 0), cd_bytes_make(nonce, 3), NULL, &lax, &rep, NULL, &err), CD_ERR_ATT_BINDING);
    /* Edit fields in the text: public key, version, config digest, nonce, quote. */
    char hexpub[140];
    cd_hex_encode(hexpub, pub, 65);
    struct { const char *find; char repl; cd_status want; } edits[] = {
        {hexpub + 20, '0', CD_ERR_ATT_BINDING},        /* public_key: report data no longer matches */
        {"\"version\":\"0.1.0", 'x', CD_ERR_ATT_BINDING}, /* version: digest claim mismatch */
        {"mainnet", 'X', CD_ERR_ATT_BINDING},               /* config text */
        {"\"nonce\":\"0x09", '1', CD_ERR_ATT_BINDING},
        {"\"quote\":\"0x4344", '5', CD_ERR_ATT_BAD_QUOTE}, /* magic byte of the mock quote */
    };
    for (size_t i = 0; i < CD_ARRAY_LEN(edits); i++) {
        char *at = strstr(j, edits[i].find);
        CHECK(t, at != NULL);
        if (!at) continue;
        size_t off = (size_t)(at - j) + strlen(edits[i].find) - 1;
        char old = j[off];
        j[off] = old == edits[i].repl ? (char)(edits[i].repl + 1) : edits[i].repl;
        cd_status s = att_attestation_verify(j, doc.len, cd_bytes_make(NULL, 0), cd_bytes_make(NULL, 0), NULL, &lax, &rep, NULL, &err);
        j[off] = old;
        if (s != edits[i].want)
            test_fail_at(t, __FILE__, __LINE__, "edit %zu: want %s got %s (%s)", i, cd_status_name(edits[i].want), cd_status_name(s), cd_error_text(&err));
    }
    CHECK_ERR(t, att_attestation_verify("{\"version\":\"1\",\"config\":\"\"}", 28, cd_bytes_make(NULL, 0), cd_bytes_make(NULL, 0), NULL, &lax, &rep, NULL, &err), CD_ERR_BAD_JSON);
    CHECK_ERR(t, att_attestation_verify("{\"version\":\"1\"}", 15, cd_bytes_make(NULL, 0), cd_bytes_make(NULL, 0), NULL, &lax, &rep, NULL, &err), CD_ERR_BAD_JSON);
    CHECK_ERR(t, att_attestation_verify("[", 1, cd_bytes_make(NULL, 0), cd_bytes_make(NULL, 0), NULL, &lax, &rep, NULL, &err), CD_ERR_BAD_JSON);
    cd_buf_free(&key);
    cd_buf_free(&doc);
    att_evidence_free(&ev);
    att_provider_close(p);
    rm_dir(dir);
}

static void test_provider_errors(test_ctx *t) {
    att_provider *p = NULL;
    cd_error err;
    att_provider_config c1 = {.name = "sgx"};
    CHECK_ERR(t, att_provider_open(&c1, &p, &err), CD_ERR_ATT_PROVIDER);
    att_provider_config c2 = {.name = "mock"}; /* no key_dir */
    CHECK_ERR(t, att_provider_open(&c2, &p, &err), CD_ERR_ATT_PROVIDER);
    att_provider_config c3 = {.name = "tdx", .tsm_dir = "/nonexistent/tsm/report"};
    CHECK_ERR(t, att_provider_open(&c3, &p, &err), CD_ERR_ATT_PROVIDER);
    att_provider_config c4 = {.name = "dstack", .dstack_socket = "/nonexistent/dstack.sock"};
    CHECK_ERR(t, att_provider_open(&c4, &p, &err), CD_ERR_ATT_PROVIDER);
    att_provider_config c5 = {.name = "nitro", .nsm_device = "/nonexistent/nsm"};
    CHECK_ERR(t, att_provider_open(&c5, &p, &err), CD_ERR_ATT_PROVIDER);
    CHECK(t, p == NULL);
}

/* ---- TDX samples ------------------------------------------------------------------------- */

typedef struct {
    const char *file;
    const char *at;
    uint16_t version, body_type;
    const char *mrtd, *rtmr[4], *report_data, *tee_tcb_svn, *td_attributes, *xfam, *fmspc;
    unsigned pcesvn;
    const char *measurement_id; /* computed outside Candor (@noble/hashes keccak over the raw quote bytes) */
} tdx_sample;

static const tdx_sample TDX_SAMPLES[] = {
    {TDX_DIR "/tdx_prod_quote_SPR_E4.dat", "2023-06-20T00:00:00Z", 4, 2,
     "6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb",
     {"2927da70461cd63266f43230cc1849c03ef25ebe490062a801d8fcc80af42976823adf08f833c1e50b51779c6593f32a",
      "2c700b8ba9b85783f8be9fb9443647bdc0bb3c50747f06297cc6538c25a5f589c4b56d035c59107c6bc5800db2cacb61",
      "8652f0caaba7e215ea442dc36a4499d8fec3362f3a0b2ca151cbe4b3e6466fe59c7368b3c2287fc7c3bf5c924eb4424e",
      "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},
     "6c62dec1b8191749a31dab490be532a35944dea47caef1f980863993d9899545eb7406a38d1eed313b987a467dacead6f0c87a6d766c66f6f29f8acb281f1113",
     "03000400000000000000000000000000", "0000004000000000", "e71a060000000000", "50806f000000", 11,
     "28a30bd1419fe43dac69d061911daa7c2c121a8eacab89196b2658e5cec2fcdb"},
    {TDX_DIR "/quote_v5_sample.dat", "2026-02-15T00:00:00Z", 5, 3,
     "7348651a34b2d2d3462822e3a750ec6110125f36757c78480bbfc69cc0d21fb001a1ced3ee19747dda8f750c3bc8f876",
     {"5c8daf76063a71ac8fcef4067564661fc682ed7944c7a5d21dbbced02f61ceff4ba0678c6aef3bdae8cbc614cec24619",
      "463acaace1b6e97c76e92e41fe312aa66f3fd4dad60ec7acf169859db0343e3d1e591646795cdc80fbc0ca5f7041d253",
      "6369b9c9a3b791ebcbdc5a0bb9536cfb57f50df2b393b33c8b29616d3568baa61f4b59dc6092e31ea8764bcbdfc69f20",
      "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},
     "945eaacf5abc1f719d8666a942fda03d1edcb4490277396093dc5a5289ab9f1e094aed63060cd4a4933a4dd537ed1255c9c79ecb3ed82cd1b486233e31c25c3a",
     "0b010400000000000000000000000000", "0000001000000000", "e702060000000000", "90c06f000000", 13,
     "da9ec2207f761d6156aac549d7fdab6aa71851a1c0dddcd6d653681ac92fcfe3"},
    {TDX_DIR "/ccel/cos-113-tdx-quote.dat", "2024-08-01T00:00:00Z", 4, 2,
     "dae67181d3d65e073ad8f95b7907d5e927bfe9761c9ff3e9b89734a45d8954dba41394c7717cb2735396c1d04231f94a",
     {"3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece752afd17f6",
      "f62dbc072bd5d3f3438b7b35c39a727f5aea2ffc2473f43723953f530daf62504f0a7944aa62c41a86e8a878c2b122c1",
      "4969684dc87381fc3b3134176c8d8806eaf0a901859f5f70cfae8d17714b46c10a8de219048c9fc09f11f381a6fbe7c1",
      "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
     "04010700000000000000000000000000", "0000001000000000", "e700060000000000", "00806f050000", 11,
     "09da3704f99a2629ffdf42db92def8c26967ecdccbb6bd6501a2dfa11b6c6d11"},
};

static bool tdx_data_present(test_ctx *t, const char *what) {
    char p[1024];
    if (test_path_exists(test_data_path(p, sizeof p, TDX_DIR))) return true;
    test_skip(t, what, "$CANDOR_DATA/" TDX_DIR " missing");
    return false;
}

static void test_tdx_samples(test_ctx *t) {
    for (size_t i = 0; i < CD_ARRAY_LEN(TDX_SAMPLES); i++) {
        const tdx_sample *s = &TDX_SAMPLES[i];
        cd_buf q = {0};
        if (!load_data(s->file, &q)) {
            test_fail_at(t, __FILE__, __LINE__, "cannot read %s", s->file);
            continue;
        }
        att_report rep;
        cd_error err;
        cd_error_clear(&err);
        cd_status st = verify_at(cd_buf_bytes(&q), at_time(s->at), false, &rep, &err);
        if (st) test_fail_at(t, __FILE__, __LINE__, "%s: %s", s->file, cd_error_text(&err));
        CHECK_EQ_INT(t, att_detect_format(cd_buf_bytes(&q)), ATT_FORMAT_TDX);
        CHECK(t, rep.signature_ok && !rep.insecure && !rep.debug);
        CHECK_EQ_INT(t, rep.quote_version, s->version);
        CHECK_EQ_INT(t, rep.body_type, s->body_type);
        CHECK_HEX(t, rep.mrtd, 48, s->mrtd);
        for (int r = 0; r < 4; r++) CHECK_HEX(t, rep.rtmr[r], 48, s->rtmr[r]);
        CHECK_HEX(t, rep.report_data, 64, s->report_data);
        CHECK_HEX(t, rep.tee_tcb_svn, 16, s->tee_tcb_svn);
        CHECK_HEX(t, rep.td_attributes, 8, s->td_attributes);
        CHECK_HEX(t, rep.xfam, 8, s->xfam);
        CHECK(t, rep.pck_info);
        CHECK_HEX(t, rep.fmspc, 6, s->fmspc);
        CHECK_EQ_INT(t, rep.pcesvn, s->pcesvn);
        CHECK_EQ_INT(t, rep.tcb_status, ATT_TCB_UNKNOWN); /* no collateral: never guessed */
        uint8_t mid[32];
        CHECK_OK(t, att_measurement_id(&rep, mid));
        CHECK_HEX(t, mid, 32, s->measurement_id);
        /* Every field of the id matters: a changed RTMR3 or xFAM gives another id. */
        att_report other = rep;
        uint8_t mid2[32];
        other.rtmr[3][47] ^= 1;
        CHECK_OK(t, att_measurement_id(&other, mid2));
        CHECK(t, memcmp(mid, mid2, 32) != 0);
        other = rep;
        other.xfam[0] ^= 1;
        CHECK_OK(t, att_measurement_id(&other, mid2));
        CHECK(t, memcmp(mid, mid2, 32) != 0);
        other = rep; /* mrOwner is the operator's, not the build's: same id */
        other.mrowner[0] ^= 1;
        CHECK_OK(t, att_measurement_id(&other, mid2));
        CHECK_EQ_BYTES(t, mid, 32, mid2, 32);
        /* Hex text of the same quote verifies the same way. */
        cd_buf hex = {0};
        CHECK_OK(t, cd_hex_encode_buf(&hex, q.data, q.len));
        CHECK_OK(t, cd_buf_push(&hex, '\n'));
        att_report rep2;
        CHECK_OK(t, verify_at(cd_buf_bytes(&hex), at_time(s->at), false, &rep2, &err));
        CHECK_EQ_BYTES(t, rep2.mrtd, 48, rep.mrtd, 48);
        /* Before the PCK certificate's validity: expired/not-yet-valid, named as such. */
        CHECK_ERR(t, verify_at(cd_buf_bytes(&q), at_time("2019-01-01T00:00:00Z"), false, &rep2, &err), CD_ERR_ATT_EXPIRED);
        CHECK_ERR(t, verify_at(cd_buf_bytes(&q), at_time("2050-01-01T00:00:00Z"), false, &rep2, &err), CD_ERR_ATT_EXPIRED);
        cd_buf_free(&hex);
        cd_buf_free(&q);
    }
}

/* Region map of a TDX quote, from the published layout (not from the parser). */
typedef struct {
    size_t body, body_len, sig, att_key, qe_report, qe_sig, auth, auth_len, pem, pem_len;
} tdx_layout;

static bool tdx_layout_of(const cd_buf *q, tdx_layout *l) {
    const uint8_t *d = q->data;
    uint16_t ver = (uint16_t)(d[0] | d[1] << 8);
    size_t off = 48;
    if (ver == 5) {
        uint16_t bt = (uint16_t)(d[48] | d[49] << 8);
        l->body = 54;
        l->body_len = bt == 3 ? 648 : 584;
    } else {
        l->body = 48;
        l->body_len = 584;
    }
    off = l->body + l->body_len + 4;
    l->sig = off;
    l->att_key = off + 64;
    l->qe_report = off + 128 + 6;
    l->qe_sig = l->qe_report + 384;
    l->auth_len = (size_t)(d[l->qe_sig + 64] | d[l->qe_sig + 65] << 8);
    l->auth = l->qe_sig + 66;
    size_t ph = l->auth + l->auth_len;
    l->pem_len = (size_t)d[ph + 2] | (size_t)d[ph + 3] << 8 | (size_t)d[ph + 4] << 16;
    l->pem = ph + 6;
    return l->pem + l->pem_len <= q->len;
}

static void flip_expect(test_ctx *t, int *count, cd_buf *q, int64_t at, size_t pos, uint8_t mask, cd_status want,
                        const char *region) {
    att_report rep;
    cd_error err;
    cd_error_clear(&err);
    (*count)++;
    q->data[pos] ^= mask;
    cd_status s = verify_at(cd_buf_bytes(q), at, true, &rep, &err);
    q->data[pos] ^= mask;
    if (s != want)
        test_fail_at(t, __FILE__, __LINE__, "%s byte %zu flipped: want %s, got %s (%s)", region, pos,
                     cd_status_name(want), cd_status_name(s), cd_error_text(&err));
}

/* Flips a base64 character of a PEM certificate to another base64 character (so the PEM
 * still decodes and the DER underneath is what changes). */
static void flip_pem_expect(test_ctx *t, int *count, cd_buf *q, int64_t at, size_t pos, cd_status want, const char *region) {
    uint8_t c = q->data[pos];
    uint8_t mask = (uint8_t)(c ^ (c == 'A' ? 'B' : 'A'));
    flip_expect(t, count, q, at, pos, mask, want, region);
}

static void test_tdx_tamper(test_ctx *t) {
    int cases = 0, nflips = 0;
    for (size_t i = 0; i < CD_ARRAY_LEN(TDX_SAMPLES); i++) {
        const tdx_sample *s = &TDX_SAMPLES[i];
        cd_buf q = {0};
        tdx_layout l;
        if (!load_data(s->file, &q) || !tdx_layout_of(&q, &l)) {
            test_fail_at(t, __FILE__, __LINE__, "cannot read/lay out %s", s->file);
            cd_buf_free(&q);
            continue;
        }
        int64_t at = at_time(s->at);
        /* Header: version/type fields are structural, the rest is signed. */
        flip_expect(t, &nflips, &q, at, 0, 0x02, CD_ERR_ATT_UNSUPPORTED, "header version");
        flip_expect(t, &nflips, &q, at, 2, 0x01, CD_ERR_ATT_UNSUPPORTED, "header key type");
        flip_expect(t, &nflips, &q, at, 4, 0x01, CD_ERR_ATT_UNSUPPORTED, "header TEE type");
        for (size_t p = 8; p < 48; p += 5) flip_expect(t, &nflips, &q, at, p, 0x10, CD_ERR_ATT_BAD_SIGNATURE, "header");
        /* Body: every field, including MRTD, RTMRs and report data, is under the quote signature. */
        for (size_t p = 0; p < l.body_len; p += 23) flip_expect(t, &nflips, &q, at, l.body + p, 0x04, CD_ERR_ATT_BAD_SIGNATURE, "body");
        for (size_t p = 520; p < 584; p += 7) flip_expect(t, &nflips, &q, at, l.body + p, 0x80, CD_ERR_ATT_BAD_SIGNATURE, "report data");
        for (size_t p = 0; p < 64; p += 9) flip_expect(t, &nflips, &q, at, l.sig + p, 0x01, CD_ERR_ATT_BAD_SIGNATURE, "quote signature");
        for (size_t p = 0; p < 64; p += 9) flip_expect(t, &nflips, &q, at, l.att_key + p, 0x01, CD_ERR_ATT_BAD_SIGNATURE, "attestation key");
        /* QE report: its report data binds the key (binding error); the rest is PCK-signed. */
        for (size_t p = 0; p < 320; p += 17) flip_expect(t, &nflips, &q, at, l.qe_report + p, 0x01, CD_ERR_ATT_QE_SIGNATURE, "QE report");
        for (size_t p = 320; p < 384; p += 11) flip_expect(t, &nflips, &q, at, l.qe_report + p, 0x01, CD_ERR_ATT_QE_BINDING, "QE report data");
        for (size_t p = 0; p < 64; p += 9) flip_expect(t, &nflips, &q, at, l.qe_sig + p, 0x01, CD_ERR_ATT_QE_SIGNATURE, "QE report signature");
        for (size_t p = 0; p < l.auth_len; p += 5) flip_expect(t, &nflips, &q, at, l.auth + p, 0x01, CD_ERR_ATT_QE_BINDING, "QE auth data");
        /* Certificates: positions inside each PEM certificate's base64 body. */
        int certs = 0;
        for (size_t p = l.pem; p + 27 < l.pem + l.pem_len; p++) {
            if (memcmp(q.data + p, "-----BEGIN CERTIFICATE-----", 27) != 0) continue;
            certs++;
            size_t b = p + 28; /* first base64 line */
            for (size_t k = 40; k < 600; k += 97) {
                size_t pos = b + k;
                uint8_t c = q.data[pos];
                if (c == '\n' || c == '\r' || c == '-' || c == '=') continue;
                flip_pem_expect(t, &nflips, &q, at, pos, CD_ERR_ATT_BAD_CERT, "certificate");
            }
        }
        CHECK_EQ_INT(t, certs, 3);
        /* Trailing padding after the signature data is not covered by anything: tolerated. */
        if (q.len > l.pem + l.pem_len) {
            att_report rep;
            cd_error err;
            q.data[q.len - 1] ^= 0xff;
            CHECK_OK(t, verify_at(cd_buf_bytes(&q), at, false, &rep, &err));
        }
        cases++;
        cd_buf_free(&q);
    }
    CHECK_EQ_INT(t, cases, 3);
    printf("  tdx tamper: %d single-byte flips over 3 quotes, each failed with its region's error\n", nflips);
}

static void test_tdx_bad_input(test_ctx *t) {
    cd_buf q = {0};
    if (!load_data(TDX_SAMPLES[0].file, &q)) {
        test_fail_at(t, __FILE__, __LINE__, "cannot read sample");
        return;
    }
    int64_t at = at_time(TDX_SAMPLES[0].at);
    att_report rep;
    cd_error err;
    /* Truncation at every structural boundary. */
    static const size_t cuts[] = {1, 20, 47, 48, 300, 631, 632, 635, 700, 1000, 1219, 1300, 2000, 4000, 4900};
    for (size_t i = 0; i < CD_ARRAY_LEN(cuts); i++) {
        cd_status s = verify_at(cd_bytes_make(q.data, cuts[i]), at, false, &rep, &err);
        if (s != CD_ERR_TRUNCATED && !(cuts[i] < 8 && s == CD_ERR_ATT_BAD_QUOTE))
            test_fail_at(t, __FILE__, __LINE__, "cut at %zu: got %s", cuts[i], cd_status_name(s));
    }
    /* Wrong versions and types. */
    uint8_t *d = q.data;
    d[0] = 3;
    CHECK_ERR(t, verify_at(cd_buf_bytes(&q), at, false, &rep, &err), CD_ERR_ATT_UNSUPPORTED);
    d[0] = 6;
    CHECK_ERR(t, verify_at(cd_buf_bytes(&q), at, false, &rep, &err), CD_ERR_ATT_UNSUPPORTED);
    d[0] = 4;
    d[4] = 0; /* SGX TEE type */
    CHECK_ERR(t, verify_at(cd_buf_bytes(&q), at, false, &rep, &err), CD_ERR_ATT_UNSUPPORTED);
    d[4] = 0x81;
    /* Signature data length beyond the end. */
    d[632 + 3] = 0x7f;
    CHECK_ERR(t, verify_at(cd_buf_bytes(&q), at, false, &rep, &err), CD_ERR_TRUNCATED);
    d[632 + 3] = 0;
    CHECK_OK(t, verify_at(cd_buf_bytes(&q), at, false, &rep, &err));
    /* Certification data type other than 6. */
    d[636 + 128] = 5;
    CHECK_ERR(t, verify_at(cd_buf_bytes(&q), at, false, &rep, &err), CD_ERR_ATT_UNSUPPORTED);
    d[636 + 128] = 6;
    /* Oversized input. */
    cd_buf big = {0};
    CHECK_OK(t, cd_buf_append(&big, q.data, q.len));
    while (big.len <= ATT_MAX_QUOTE_LEN) CHECK_OK(t, cd_buf_push(&big, 0));
    CHECK_ERR(t, verify_at(cd_buf_bytes(&big), at, false, &rep, &err), CD_ERR_TOO_LARGE);
    cd_buf_free(&big);
    /* v5: unknown body type, inconsistent body size. */
    cd_buf v5 = {0};
    if (load_data(TDX_SAMPLES[1].file, &v5)) {
        int64_t at5 = at_time(TDX_SAMPLES[1].at);
        v5.data[48] = 1; /* SGX enclave body */
        CHECK_ERR(t, verify_at(cd_buf_bytes(&v5), at5, false, &rep, &err), CD_ERR_ATT_UNSUPPORTED);
        v5.data[48] = 2; /* TD 1.0 type with a 648-byte size */
        CHECK_ERR(t, verify_at(cd_buf_bytes(&v5), at5, false, &rep, &err), CD_ERR_ATT_BAD_QUOTE);
        v5.data[48] = 3;
        CHECK_OK(t, verify_at(cd_buf_bytes(&v5), at5, false, &rep, &err));
    } else {
        test_fail_at(t, __FILE__, __LINE__, "cannot read v5 sample");
    }
    cd_buf_free(&v5);
    /* Garbage and empty input. */
    CHECK_ERR(t, verify_at(cd_bytes_make("hello world", 11), at, false, &rep, &err), CD_ERR_ATT_BAD_QUOTE);
    CHECK_ERR(t, verify_at(cd_bytes_make("", 0), at, false, &rep, &err), CD_ERR_TRUNCATED);
    cd_buf_free(&q);
}

/* Collateral from the shared data, linked (not copied) into a temp dir under our names. */
static bool make_collateral(char *dir, const char *tcbinfo) {
    if (!mkdtemp(dir)) return false;
    static const char *const names[][2] = {{"pckcrl", "pck_crl.der"}, {"rootcrl.der", "root_crl.der"},
                                           {"sample_qeIdentity_response", "qe_identity.json"}, {NULL, "tcb_info.json"}};
    for (size_t i = 0; i < CD_ARRAY_LEN(names); i++) {
        char src[1024], rel[256], dst[600], abs[4096];
        snprintf(rel, sizeof rel, TDX_DIR "/%s", names[i][0] ? names[i][0] : tcbinfo);
        test_data_path(src, sizeof src, rel);
        if (!realpath(src, abs)) return false;
        snprintf(dst, sizeof dst, "%s/%s", dir, names[i][1]);
        if (symlink(abs, dst) != 0) return false;
    }
    return true;
}

static void rm_collateral(const char *dir) {
    static const char *const names[] = {"pck_crl.der", "root_crl.der", "qe_identity.json", "tcb_info.json"};
    char p[600];
    for (size_t i = 0; i < CD_ARRAY_LEN(names); i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void test_tdx_collateral(test_ctx *t) {
    char d5[] = "/tmp/candor-coll-XXXXXX", d4[] = "/tmp/candor-coll-XXXXXX";
    bool ok5 = make_collateral(d5, "sample_tcbinfo_response_v5"), ok4 = make_collateral(d4, "sample_tcbInfo_response");
    CHECK(t, ok5 && ok4);
    att_report rep;
    cd_error err;
    cd_buf q = {0};
    if (ok5 && load_data(TDX_SAMPLES[1].file, &q)) {
        att_verify_opts o = {.at = at_time(TDX_SAMPLES[1].at), .collateral_dir = d5};
        CHECK_OK(t, att_verify(cd_buf_bytes(&q), &o, &rep, &err));
        /* The TCB signing chain is not in the shared data: the level is computed but not trusted. */
        CHECK_EQ_INT(t, rep.tcb_status, ATT_TCB_UNKNOWN);
        CHECK_EQ_INT(t, rep.tcb_status_unverified, ATT_TCB_UP_TO_DATE);
        CHECK(t, strstr(rep.tcb_reason, "tcb_signing_chain.pem") != NULL);
        CHECK(t, strstr(rep.tcb_reason, "pck_crl.der is not current") != NULL); /* 2023 CRL, 2026 time */
        CHECK(t, strstr(rep.tcb_reason, "TDX module TDX_01 UpToDate") != NULL); /* TEE_TCB_SVN 0b01.. */
        CHECK(t, strstr(rep.tcb_reason, "QE identity (unverified): QE UpToDate (ISVSVN 7)") != NULL);
        /* A QE identity naming another MRSIGNER is reported as such. */
        cd_buf qi = {0};
        char qsrc[1024], qdst[600];
        test_data_path(qsrc, sizeof qsrc, TDX_DIR "/sample_qeIdentity_response");
        snprintf(qdst, sizeof qdst, "%s/qe_identity.json", d5);
        if (cd_read_file(qsrc, 1 << 16, &qi) == CD_OK && cd_buf_push(&qi, 0) == CD_OK) {
            char *m = strstr((char *)qi.data, "\"mrsigner\":\"DC9E");
            CHECK(t, m != NULL);
            if (m) m[12] = 'E';
            unlink(qdst);
            FILE *qf = fopen(qdst, "wb");
            if (qf) {
                fwrite(qi.data, 1, qi.len - 1, qf);
                fclose(qf);
            }
            CHECK_OK(t, att_verify(cd_buf_bytes(&q), &o, &rep, &err));
            CHECK(t, strstr(rep.tcb_reason, "QE identity (unverified): QE MRSIGNER differs") != NULL);
        }
        cd_buf_free(&qi);
        att_verify_opts req = o;
        req.require_tcb_up_to_date = true; /* status unknown (unsigned collateral): refused */
        CHECK_ERR(t, att_verify(cd_buf_bytes(&q), &req, &rep, &err), CD_ERR_ATT_TCB);
        req.collateral_dir = NULL;
        CHECK_ERR(t, att_verify(cd_buf_bytes(&q), &req, &rep, &err), CD_ERR_ATT_TCB);
        /* A signing chain that reaches the Intel root but whose leaf did not sign the TCB info
         * (here: the quote's own PCK chain) still leaves the status unknown. */
        tdx_layout l;
        char chain_path[600];
        snprintf(chain_path, sizeof chain_path, "%s/tcb_signing_chain.pem", d5);
        FILE *f = tdx_layout_of(&q, &l) ? fopen(chain_path, "wb") : NULL;
        CHECK(t, f != NULL);
        if (f) {
            fwrite(q.data + l.pem, 1, l.pem_len, f);
            fclose(f);
            CHECK_OK(t, att_verify(cd_buf_bytes(&q), &o, &rep, &err));
            CHECK_EQ_INT(t, rep.tcb_status, ATT_TCB_UNKNOWN);
            CHECK_EQ_INT(t, rep.tcb_status_unverified, ATT_TCB_UP_TO_DATE);
            CHECK(t, strstr(rep.tcb_reason, "TCB info not trusted: signature does not verify") != NULL);
            unlink(chain_path);
        }
    }
    cd_buf_free(&q);
    if (ok4 && load_data(TDX_SAMPLES[0].file, &q)) {
        att_verify_opts o = {.at = at_time(TDX_SAMPLES[0].at), .collateral_dir = d4};
        CHECK_OK(t, att_verify(cd_buf_bytes(&q), &o, &rep, &err));
        CHECK_EQ_INT(t, rep.tcb_status, ATT_TCB_UNKNOWN);
        CHECK_EQ_INT(t, rep.tcb_status_unverified, ATT_TCB_NO_MATCH); /* CPUSVN below every level */
        CHECK(t, strstr(rep.tcb_reason, "not current") == NULL);       /* CRLs current in June 2023 */
        /* Another FMSPC's TCB info is not applied. */
        att_verify_opts o5 = {.at = at_time(TDX_SAMPLES[0].at), .collateral_dir = d5};
        CHECK_OK(t, att_verify(cd_buf_bytes(&q), &o5, &rep, &err));
        CHECK_EQ_INT(t, rep.tcb_status_unverified, ATT_TCB_UNKNOWN);
        CHECK(t, strstr(rep.tcb_reason, "FMSPC") != NULL);
    }
    cd_buf_free(&q);
    /* A CRL whose signature does not verify is a collateral error. */
    if (ok4) {
        char src[1024], bad[600];
        cd_buf crl = {0};
        test_data_path(src, sizeof src, TDX_DIR "/pckcrl");
        snprintf(bad, sizeof bad, "%s/pck_crl.der", d4);
        if (cd_read_file(src, 1 << 16, &crl) == CD_OK && crl.len > 40) {
            crl.data[crl.len - 10] ^= 0x01; /* inside the signature */
            unlink(bad);
            FILE *f = fopen(bad, "wb");
            if (f) {
                fwrite(crl.data, 1, crl.len, f);
                fclose(f);
            }
            if (load_data(TDX_SAMPLES[0].file, &q)) {
                att_verify_opts o = {.at = at_time(TDX_SAMPLES[0].at), .collateral_dir = d4};
                CHECK_ERR(t, att_verify(cd_buf_bytes(&q), &o, &rep, &err), CD_ERR_ATT_COLLATERAL);
            }
            cd_buf_free(&q);
        }
        cd_buf_free(&crl);
    }
    if (ok5) rm_collateral(d5);
    if (ok4) rm_collateral(d4);
}

/* ---- Nitro samples ------------------------------------------------------------------------ */

typedef struct {
    const char *file;
    int64_t ts_ms;
    bool debug;
    const char *pcr[5]; /* PCR0..4, NULL = all zero */
    const char *user_data, *public_key, *nonce_prefix;
} nitro_sample;

static const char PCR3[] = "4a9329d69c836267b18abbf9f4a38889124490453419e426818626348d21f989dc930b1562682a9082887454e53425aa";

static const nitro_sample NITRO_SAMPLES[] = {
    {NITRO_DIR "/valid-attestation-doc-bytes", 1665651482136LL, false,
     {"f4d48b81a460c9916d1e685119074bf24660afd3e34fae9fca0a0d28d9d5599936332687e6f66fc890ac8cf150142d8b",
      "bcdf05fefccaa8e55bf2c8d6dee9e79bbff31e34bf28a99aa19e6b29c37ee80b214a414b7607236edf26fcb78654e63f",
      "d8f114da658de5481f8d9ec73907feb553560787522f705c92d7d96beed8e15e2aa611984e098c576832c292e8dc469a", PCR3,
      "1f442c86d494a88185642086d904ed89f62fb66ee9997d7b1a4f040faab3bba4244c768a584e5778195b3afc715637c6"},
     NULL, NULL, "cb3dc2eb76c0c1344adf10cc4868591e5bb7fa4b"},
    {NITRO_DIR "/valid-attestation-doc-base64", 1695049410860LL, true,
     {NULL, NULL, NULL, PCR3,
      "d0531b1400dd43288c82c226c16bf647c637dd5e4d9b4f7a8aaadc6d6760b854a06c7008cca0d15ca80094dd33a65065"},
     "3059301306072a8648ce3d020106082a8648ce3d030107034200042afc52fe36bd5f190b5c90a7ef3349716dcbc4aa003dde71114b11d2faa6648e0713c527439746a8d23dab9e1b999e847762ef385bb5cf27295323b9908b2acb",
     NULL, "bba6bfd51866d2e4e095ba3277f208a4692e62f7"},
    {NITRO_DIR "/debug-mode-attestation-doc-bytes", 1665582606081LL, true,
     {NULL, NULL, NULL, PCR3,
      "615fa5b1a8838d392d8e54aacc3d9ac0db87d63cb826516c4cc94307c986fe465b29f3f54a55a2f121265528ae0aa6a7"},
     "68656c6c6f2c20776f726c6421", "6d7920737570657220736563726574206b6579", NULL},
};

static bool nitro_data_present(test_ctx *t, const char *what) {
    char p[1024];
    if (test_path_exists(test_data_path(p, sizeof p, NITRO_DIR))) return true;
    test_skip(t, what, "$CANDOR_DATA/" NITRO_DIR " missing");
    return false;
}

static void test_nitro_samples(test_ctx *t) {
    static const uint8_t zero48[48] = {0};
    for (size_t i = 0; i < CD_ARRAY_LEN(NITRO_SAMPLES); i++) {
        const nitro_sample *s = &NITRO_SAMPLES[i];
        cd_buf d = {0};
        if (!load_data(s->file, &d)) {
            test_fail_at(t, __FILE__, __LINE__, "cannot read %s", s->file);
            continue;
        }
        int64_t at = s->ts_ms / 1000 + 1;
        att_report rep;
        cd_error err;
        cd_error_clear(&err);
        CHECK_EQ_INT(t, att_detect_format(cd_buf_bytes(&d)), ATT_FORMAT_NITRO);
        cd_status st = verify_at(cd_buf_bytes(&d), at, true, &rep, &err);
        if (st) test_fail_at(t, __FILE__, __LINE__, "%s: %s", s->file, cd_error_text(&err));
        CHECK(t, rep.signature_ok);
        CHECK_EQ_INT(t, rep.format, ATT_FORMAT_NITRO);
        CHECK_EQ_U64(t, rep.timestamp_ms, (uint64_t)s->ts_ms);
        CHECK_EQ_INT(t, rep.pcr_present, 0xffff);
        CHECK_EQ_INT(t, rep.debug, s->debug);
        CHECK_EQ_INT(t, rep.insecure, s->debug);
        for (int p = 0; p < 16; p++) {
            if (p < 5 && s->pcr[p]) CHECK_HEX(t, rep.pcrs[p], 48, s->pcr[p]);
            else if (!(p == 8 && i == 0)) CHECK_EQ_BYTES(t, rep.pcrs[p], 48, zero48, 48);
        }
        if (s->user_data) CHECK_HEX(t, rep.user_data, rep.user_data_len, s->user_data);
        else CHECK_EQ_INT(t, rep.user_data_len, 0);
        if (s->public_key) CHECK_HEX(t, rep.public_key, rep.public_key_len, s->public_key);
        else CHECK_EQ_INT(t, rep.public_key_len, 0);
        if (s->nonce_prefix) {
            CHECK(t, rep.nonce_len > 20);
            CHECK_HEX(t, rep.nonce, 20, s->nonce_prefix);
        } else {
            CHECK_EQ_INT(t, rep.nonce_len, 0);
        }
        /* Debug enclaves are rejected unless accepted. */
        if (s->debug) CHECK_ERR(t, verify_at(cd_buf_bytes(&d), at, false, &rep, &err), CD_ERR_ATT_DEBUG);
        /* The leaf certificate lives ~3 hours: 4 hours later the document is expired. */
        CHECK_ERR(t, verify_at(cd_buf_bytes(&d), at + 4 * 3600, true, &rep, &err), CD_ERR_ATT_EXPIRED);
        /* Verified ten minutes before it was made: refused (the leaf was not valid yet either). */
        CHECK_ERR(t, verify_at(cd_buf_bytes(&d), at - 600, true, &rep, &err), CD_ERR_ATT_EXPIRED);
        cd_buf_free(&d);
    }
}

static size_t find_bytes(const cd_buf *b, const void *needle, size_t n) {
    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->data + i, needle, n) == 0) return i;
    return SIZE_MAX;
}

/* The DER certificate that follows a CBOR text key, found by its bstr head (0x59 len16). */
static size_t cert_after(const cd_buf *b, size_t from) {
    for (size_t i = from; i + 3 < b->len; i++)
        if (b->data[i] == 0x59 && b->data[i + 3] == 0x30) return i + 3;
    return SIZE_MAX;
}

static void test_nitro_tamper(test_ctx *t) {
    cd_buf d = {0};
    int nflips = 0;
    if (!load_data(NITRO_SAMPLES[0].file, &d)) {
        test_fail_at(t, __FILE__, __LINE__, "cannot read sample");
        return;
    }
    int64_t at = NITRO_SAMPLES[0].ts_ms / 1000 + 1;
    /* Protected header bstr(a1 01 38 22): changing the algorithm is unsupported. */
    CHECK(t, d.data[0] == 0x84 && d.data[1] == 0x44);
    flip_expect(t, &nflips, &d, at, 5, 0x01, CD_ERR_ATT_UNSUPPORTED, "protected alg");
    flip_expect(t, &nflips, &d, at, 3, 0x02, CD_ERR_ATT_UNSUPPORTED, "protected alg label");
    /* PCRs and nonce: payload bytes covered only by the COSE signature. */
    uint8_t pcr0[48];
    test_unhex(NITRO_SAMPLES[0].pcr[0], pcr0, 48);
    size_t p0 = find_bytes(&d, pcr0, 48);
    CHECK(t, p0 != SIZE_MAX);
    if (p0 != SIZE_MAX)
        for (size_t k = 0; k < 48; k += 7) flip_expect(t, &nflips, &d, at, p0 + k, 0x01, CD_ERR_ATT_BAD_SIGNATURE, "PCR0");
    uint8_t nonce[20];
    test_unhex(NITRO_SAMPLES[0].nonce_prefix, nonce, 20);
    size_t pn = find_bytes(&d, nonce, 20);
    CHECK(t, pn != SIZE_MAX);
    if (pn != SIZE_MAX)
        for (size_t k = 0; k < 256; k += 31) flip_expect(t, &nflips, &d, at, pn + k, 0x40, CD_ERR_ATT_BAD_SIGNATURE, "nonce");
    size_t pm = find_bytes(&d, "i-020b6af9246d90e92", 19);
    if (pm != SIZE_MAX) flip_expect(t, &nflips, &d, at, pm + 3, 0x01, CD_ERR_ATT_BAD_SIGNATURE, "module_id");
    /* Certificates: leaf and each cabundle entry; bytes well inside the DER. */
    size_t leaf = cert_after(&d, find_bytes(&d, "certificate", 11));
    CHECK(t, leaf != SIZE_MAX);
    if (leaf != SIZE_MAX)
        for (size_t k = 20; k < 500; k += 53) flip_expect(t, &nflips, &d, at, leaf + k, 0x01, CD_ERR_ATT_BAD_CERT, "leaf certificate");
    size_t pos = find_bytes(&d, "cabundle", 8);
    int ca = 0;
    CHECK(t, pos != SIZE_MAX);
    while (pos != SIZE_MAX && ca < 4) {
        size_t c = cert_after(&d, pos + 1);
        if (c == SIZE_MAX || (leaf != SIZE_MAX && c >= leaf && c < leaf + 600)) break;
        size_t len = (size_t)d.data[c - 2] << 8 | d.data[c - 1];
        for (size_t k = 20; k < len - 120; k += 67) flip_expect(t, &nflips, &d, at, c + k, 0x01, CD_ERR_ATT_BAD_CERT, "cabundle certificate");
        ca++;
        pos = c + len - 1;
    }
    CHECK_EQ_INT(t, ca, 4);
    /* The signature (last 96 bytes). */
    for (size_t k = 0; k < 96; k += 11) flip_expect(t, &nflips, &d, at, d.len - 96 + k, 0x01, CD_ERR_ATT_BAD_SIGNATURE, "signature");
    printf("  nitro tamper: %d single-byte flips, each failed with its region's error\n", nflips);
    cd_buf_free(&d);
}

static void test_nitro_bad_input(test_ctx *t) {
    cd_buf d = {0};
    if (!load_data(NITRO_SAMPLES[0].file, &d)) {
        test_fail_at(t, __FILE__, __LINE__, "cannot read sample");
        return;
    }
    int64_t at = NITRO_SAMPLES[0].ts_ms / 1000 + 1;
    att_report rep;
    cd_error err;
    static const size_t cuts[] = {1, 2, 10, 100, 1000, 4000, 4653};
    for (size_t i = 0; i < CD_ARRAY_LEN(cuts); i++)
        CHECK_ERR(t, verify_at(cd_bytes_make(d.data, cuts[i]), at, false, &rep, &err), CD_ERR_ATT_BAD_COSE);
    /* Trailing byte after the COSE array. */
    CHECK_OK(t, cd_buf_push(&d, 0x00));
    CHECK_ERR(t, verify_at(cd_buf_bytes(&d), at, false, &rep, &err), CD_ERR_ATT_BAD_COSE);
    d.len--;
    /* Tagged (18) form verifies too; another tag does not. */
    cd_buf tagged = {0};
    CHECK_OK(t, cd_buf_push(&tagged, 0xd2));
    CHECK_OK(t, cd_buf_append(&tagged, d.data, d.len));
    CHECK_OK(t, verify_at(cd_buf_bytes(&tagged), at, false, &rep, &err));
    tagged.data[0] = 0xd1;
    CHECK_ERR(t, verify_at(cd_buf_bytes(&tagged), at, false, &rep, &err), CD_ERR_ATT_BAD_COSE);
    cd_buf_free(&tagged);
    /* Deep nesting is refused before libcbor builds a tree. */
    cd_buf deep = {0};
    CHECK_OK(t, cd_buf_push(&deep, 0x84));
    for (int i = 0; i < 5000; i++) CHECK_OK(t, cd_buf_push(&deep, 0x81));
    CHECK_OK(t, cd_buf_push(&deep, 0x00));
    CHECK_ERR(t, verify_at(cd_buf_bytes(&deep), at, false, &rep, &err), CD_ERR_ATT_BAD_COSE);
    /* Oversized document. */
    deep.len = 0;
    CHECK_OK(t, cd_buf_push(&deep, 0x84));
    while (deep.len <= ATT_MAX_QUOTE_LEN) CHECK_OK(t, cd_buf_push(&deep, 0x00));
    CHECK_ERR(t, verify_at(cd_buf_bytes(&deep), at, false, &rep, &err), CD_ERR_TOO_LARGE);
    cd_buf_free(&deep);
    /* Array of 3 / signature of the wrong length. */
    static const uint8_t three[] = {0x83, 0x40, 0xa0, 0x40};
    CHECK_ERR(t, verify_at(cd_bytes_make(three, sizeof three), at, false, &rep, &err), CD_ERR_ATT_BAD_COSE);
    static const uint8_t shortsig[] = {0x84, 0x44, 0xa1, 0x01, 0x38, 0x22, 0xa0, 0x41, 0xa0, 0x41, 0x00};
    CHECK_ERR(t, verify_at(cd_bytes_make(shortsig, sizeof shortsig), at, false, &rep, &err), CD_ERR_ATT_BAD_SIGNATURE);
    /* Payload that is not a map / lacks mandatory fields. */
    uint8_t nomap[7 + 96 + 2] = {0x84, 0x44, 0xa1, 0x01, 0x38, 0x22, 0xa0};
    size_t n = 7;
    nomap[n++] = 0x41; nomap[n++] = 0x00; /* payload: bstr(0x00) = integer 0 */
    nomap[n++] = 0x58; nomap[n++] = 96;
    CHECK_ERR(t, verify_at(cd_bytes_make(nomap, n - 2), at, false, &rep, &err), CD_ERR_ATT_BAD_COSE);
    uint8_t emptymap[7 + 2 + 2 + 96] = {0x84, 0x44, 0xa1, 0x01, 0x38, 0x22, 0xa0, 0x41, 0xa0, 0x58, 96};
    CHECK_ERR(t, verify_at(cd_bytes_make(emptymap, sizeof emptymap), at, false, &rep, &err), CD_ERR_ATT_BAD_COSE);
    cd_buf_free(&d);
}

/* ---- policy --------------------------------------------------------------------------------- */

static void test_policy(test_ctx *t) {
    att_policy *p = NULL;
    cd_error err;
    CHECK_ERR(t, att_policy_parse("{}", 2, &p, &err), CD_ERR_BAD_JSON);
    CHECK_ERR(t, att_policy_parse("[{\"mrtd\":\"00\"}]", 15, &p, &err), CD_ERR_BAD_JSON);
    const char *mixed = "[{\"mrtd\":\"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\","
                        "\"pcr0\":\"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\"}]";
    CHECK_ERR(t, att_policy_parse(mixed, strlen(mixed), &p, &err), CD_ERR_BAD_JSON);
    CHECK_ERR(t, att_policy_parse("[{\"name\":\"x\"}]", 14, &p, &err), CD_ERR_BAD_JSON);
    CHECK_ERR(t, att_policy_parse("[1", 2, &p, &err), CD_ERR_BAD_JSON);
    CHECK(t, p == NULL);

    const tdx_sample *s = &TDX_SAMPLES[0];
    char pol[2048];
    snprintf(pol, sizeof pol,
             "[{\"name\":\"other\",\"mrtd\":\"%s\",\"rtmr0\":\"%s\"},"
             " {\"name\":\"spr\",\"mrtd\":\"%s\",\"rtmr0\":\"%s\",\"rtmr1\":\"%s\",\"rtmr2\":\"%s\"},"
             " {\"name\":\"nitro\",\"pcr0\":\"%s\",\"pcr1\":\"%s\",\"pcr2\":\"%s\"}]",
             s->mrtd, s->rtmr[1], s->mrtd, s->rtmr[0], s->rtmr[1], s->rtmr[2], NITRO_SAMPLES[0].pcr[0],
             NITRO_SAMPLES[0].pcr[1], NITRO_SAMPLES[0].pcr[2]);
    CHECK_OK(t, att_policy_parse(pol, strlen(pol), &p, &err));
    if (!p) return;
    att_report rep;
    memset(&rep, 0, sizeof rep);
    rep.format = ATT_FORMAT_TDX;
    test_unhex(s->mrtd, rep.mrtd, 48);
    for (int i = 0; i < 4; i++) test_unhex(s->rtmr[i], rep.rtmr[i], 48);
    const char *m = NULL;
    CHECK_OK(t, att_policy_check(p, &rep, &m, &err));
    CHECK_EQ_STR(t, m, "spr");
    rep.rtmr[2][5] ^= 1;
    CHECK_ERR(t, att_policy_check(p, &rep, &m, &err), CD_ERR_ATT_POLICY);
    rep.rtmr[2][5] ^= 1;
    rep.rtmr[3][0] ^= 1; /* RTMR3 not pinned by "spr" */
    CHECK_OK(t, att_policy_check(p, &rep, &m, &err));
    rep.mrtd[47] ^= 1;
    CHECK_ERR(t, att_policy_check(p, &rep, &m, &err), CD_ERR_ATT_POLICY);
    memset(&rep, 0, sizeof rep);
    rep.format = ATT_FORMAT_NITRO;
    rep.pcr_present = 7;
    for (int i = 0; i < 3; i++) test_unhex(NITRO_SAMPLES[0].pcr[i], rep.pcrs[i], 48);
    CHECK_OK(t, att_policy_check(p, &rep, &m, &err));
    CHECK_EQ_STR(t, m, "nitro");
    rep.format = ATT_FORMAT_MOCK; /* a mock quote never matches a TDX or Nitro entry */
    CHECK_ERR(t, att_policy_check(p, &rep, &m, &err), CD_ERR_ATT_POLICY);
    att_policy_free(p);
}

/* Binding on a real quote: its report data is not ours, so binding must fail after validity. */
static void test_binding_real_quote(test_ctx *t) {
    cd_buf q = {0};
    if (!load_data(TDX_SAMPLES[0].file, &q)) {
        test_fail_at(t, __FILE__, __LINE__, "cannot read sample");
        return;
    }
    uint8_t pub[65] = {4};
    cd_hash32 cfg = {{0}};
    att_verify_opts o = {.at = at_time(TDX_SAMPLES[0].at)};
    att_report rep;
    cd_error err;
    CHECK_ERR(t, att_verify_binding(cd_buf_bytes(&q), cd_bytes_make(pub, 65), &cfg, cd_bytes_make(NULL, 0), NULL, &o, &rep, &err), CD_ERR_ATT_BINDING);
    CHECK(t, rep.signature_ok);
    q.data[100] ^= 1; /* a forged quote fails on validity first */
    CHECK_ERR(t, att_verify_binding(cd_buf_bytes(&q), cd_bytes_make(pub, 65), &cfg, cd_bytes_make(NULL, 0), NULL, &o, &rep, &err), CD_ERR_ATT_BAD_SIGNATURE);
    cd_buf_free(&q);
}

/* ---- event logs ------------------------------------------------------------------------------ */

static void test_ccel_replay(test_ctx *t) {
    cd_buf log = {0}, q = {0};
    if (!load_data(TDX_DIR "/ccel/ccel_data.dat", &log) || !load_data(TDX_SAMPLES[2].file, &q)) {
        test_fail_at(t, __FILE__, __LINE__, "cannot read CCEL sample");
        cd_buf_free(&log);
        cd_buf_free(&q);
        return;
    }
    att_event_log ev;
    cd_error err;
    att_report rep;
    CHECK_OK(t, verify_at(cd_buf_bytes(&q), at_time(TDX_SAMPLES[2].at), false, &rep, &err));
    CHECK_OK(t, att_ccel_replay(cd_buf_bytes(&log), &ev, &err));
    size_t extended = 0;
    for (size_t i = 0; i < ev.count; i++) extended += ev.events[i].imr <= 3 && strcmp(ev.events[i].name, "EV_NO_ACTION");
    CHECK_EQ_INT(t, extended, 43);
    for (int r = 0; r < 4; r++) CHECK_HEX(t, ev.rtmr[r], 48, TDX_SAMPLES[2].rtmr[r]);
    CHECK_OK(t, att_event_log_check(&ev, &rep, &err));
    /* A log from another TD does not match. */
    att_report other = rep;
    other.rtmr[1][0] ^= 1;
    CHECK_ERR(t, att_event_log_check(&ev, &other, &err), CD_ERR_ATT_EVENT_LOG);
    /* A changed digest in the log changes the replay. */
    size_t d0 = ev.count > 5 ? ev.events[5].data_offset - 4 - 4 : 0; /* just before the event size */
    att_event_log_free(&ev);
    if (d0) {
        log.data[d0 - 3] ^= 1; /* last bytes of the SHA-384 digest of event 5 */
        CHECK_OK(t, att_ccel_replay(cd_buf_bytes(&log), &ev, &err));
        CHECK_ERR(t, att_event_log_check(&ev, &rep, &err), CD_ERR_ATT_EVENT_LOG);
        att_event_log_free(&ev);
        log.data[d0 - 3] ^= 1;
    }
    /* Truncated inside an event / bad header. */
    CHECK_ERR(t, att_ccel_replay(cd_bytes_make(log.data, 20), &ev, &err), CD_ERR_TRUNCATED);
    CHECK_ERR(t, att_ccel_replay(cd_bytes_make(log.data, 200), &ev, &err), CD_ERR_TRUNCATED);
    /* Garbage in the fill after the last event. */
    log.data[log.len - 100] = 0x00;
    CHECK_ERR(t, att_ccel_replay(cd_buf_bytes(&log), &ev, &err), CD_ERR_ATT_EVENT_LOG);
    log.data[log.len - 100] = 0xff;
    /* Cut right after an event's MR index and type (digest count missing). */
    att_event_log full;
    if (att_ccel_replay(cd_buf_bytes(&log), &full, &err) == CD_OK && full.count > 3) {
        size_t cut = full.events[3].data_offset + full.events[3].data_len + 10;
        CHECK_ERR(t, att_ccel_replay(cd_bytes_make(log.data, cut), &ev, &err), CD_ERR_TRUNCATED);
        att_event_log_free(&full);
    }
    log.data[32] ^= 1; /* "Spec ID Event03" signature */
    CHECK_ERR(t, att_ccel_replay(cd_buf_bytes(&log), &ev, &err), CD_ERR_ATT_EVENT_LOG);
    cd_buf_free(&log);
    cd_buf_free(&q);
}

static void sha384(const void *d, size_t n, uint8_t out[48]) {
    unsigned int len = 48;
    EVP_Digest(d, n, out, &len, EVP_sha384(), NULL);
}

static void test_dstack_log_replay(test_ctx *t) {
    /* A hand-made log: one boot event on RTMR0 and two runtime events on RTMR3. */
    uint8_t d0[48], d1[48], d2[48], buf[256];
    memset(d0, 0x11, 48);
    const char *names[2] = {"compose-hash", "app-id"};
    const char *payloads[2] = {"0102", "aabbccdd"};
    uint8_t *ds[2] = {d1, d2};
    for (int i = 0; i < 2; i++) {
        size_t n = 0;
        buf[n++] = 0x01; buf[n++] = 0x00; buf[n++] = 0x00; buf[n++] = 0x08;
        buf[n++] = ':';
        memcpy(buf + n, names[i], strlen(names[i])); n += strlen(names[i]);
        buf[n++] = ':';
        n += (size_t)test_unhex(payloads[i], buf + n, 16);
        sha384(buf, n, ds[i]);
    }
    char json[2048];
    char h0[100], h1[100], h2[100];
    cd_hex_encode(h0, d0, 48);
    cd_hex_encode(h1, d1, 48);
    cd_hex_encode(h2, d2, 48);
    snprintf(json, sizeof json,
             "[{\"imr\":0,\"event_type\":1,\"digest\":\"%s\",\"event\":\"\",\"event_payload\":\"\"},"
             "{\"imr\":3,\"event_type\":134217729,\"digest\":\"%s\",\"event\":\"compose-hash\",\"event_payload\":\"0102\"},"
             "{\"imr\":3,\"event_type\":134217729,\"digest\":\"%s\",\"event\":\"app-id\",\"event_payload\":\"aabbccdd\"}]",
             h0 + 2, h1 + 2, h2 + 2);
    att_event_log ev;
    cd_error err;
    CHECK_OK(t, att_dstack_log_replay(json, strlen(json), &ev, &err));
    CHECK_EQ_INT(t, ev.count, 3);
    uint8_t r0[48] = {0}, r3[48] = {0}, cat[96];
    memcpy(cat, r0, 48); memcpy(cat + 48, d0, 48); sha384(cat, 96, r0);
    memcpy(cat, r3, 48); memcpy(cat + 48, d1, 48); sha384(cat, 96, r3);
    memcpy(cat, r3, 48); memcpy(cat + 48, d2, 48); sha384(cat, 96, r3);
    CHECK_EQ_BYTES(t, ev.rtmr[0], 48, r0, 48);
    CHECK_EQ_BYTES(t, ev.rtmr[3], 48, r3, 48);
    CHECK_EQ_STR(t, ev.events[1].name, "compose-hash");
    att_event_log_free(&ev);
    /* A runtime event whose payload was changed no longer matches its digest. */
    char *p = strstr(json, "aabbccdd");
    if (p) p[0] = 'b';
    CHECK_ERR(t, att_dstack_log_replay(json, strlen(json), &ev, &err), CD_ERR_ATT_EVENT_LOG);
    CHECK_ERR(t, att_dstack_log_replay("{}", 2, &ev, &err), CD_ERR_BAD_JSON);
    CHECK_ERR(t, att_dstack_log_replay("[{\"imr\":4,\"event_type\":1,\"digest\":\"00\"}]", 40, &ev, &err), CD_ERR_BAD_JSON);
}

static void test_json_report(test_ctx *t) {
    cd_buf q = {0}, out = {0};
    if (!load_data(TDX_SAMPLES[1].file, &q)) {
        test_fail_at(t, __FILE__, __LINE__, "cannot read sample");
        return;
    }
    att_report rep;
    cd_error err;
    cd_status st = verify_at(cd_buf_bytes(&q), at_time(TDX_SAMPLES[1].at), false, &rep, &err);
    CHECK_OK(t, st);
    CHECK_OK(t, att_report_json(&rep, st, NULL, &out));
    CHECK_OK(t, cd_buf_push(&out, 0));
    const char *j = (const char *)out.data;
    CHECK(t, strstr(j, "\"verdict\":\"valid\"") != NULL);
    CHECK(t, strstr(j, "\"tcb_status\":\"unknown\"") != NULL);
    CHECK(t, strstr(j, TDX_SAMPLES[1].mrtd) != NULL);
    CHECK(t, strstr(j, "\"mrservicetd\"") != NULL);
    cd_buf_free(&out);
    cd_buf_free(&q);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_attest");
    TEST_RUN(&t, test_report_data_layout);
    TEST_RUN(&t, test_mock_round_trip);
    TEST_RUN(&t, test_attestation_document);
    TEST_RUN(&t, test_provider_errors);
    TEST_RUN(&t, test_policy);
    TEST_RUN(&t, test_dstack_log_replay);
    if (tdx_data_present(&t, "tdx samples")) {
        TEST_RUN(&t, test_tdx_samples);
        TEST_RUN(&t, test_tdx_tamper);
        TEST_RUN(&t, test_tdx_bad_input);
        TEST_RUN(&t, test_tdx_collateral);
        TEST_RUN(&t, test_binding_real_quote);
        TEST_RUN(&t, test_ccel_replay);
        TEST_RUN(&t, test_json_report);
    }
    if (nitro_data_present(&t, "nitro samples")) {
        TEST_RUN(&t, test_nitro_samples);
        TEST_RUN(&t, test_nitro_tamper);
        TEST_RUN(&t, test_nitro_bad_input);
    }
    return test_finish(&t);
}
