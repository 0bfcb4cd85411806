/* attest: quote providers behind one interface, chosen by name.
 *   tdx    - Linux configfs-tsm: write report data to inblob, read the quote from outblob;
 *   dstack - the dstack guest agent (HTTP over its unix socket): GetQuote, GetKey;
 *   nitro  - the Nitro Secure Module (/dev/nsm), CBOR request/response;
 *   mock   - software quote signed by a local P-256 key (never trusted by verifiers).
 * Sealing keys come from the TEE where it derives keys (dstack), else from a local key
 * file (0600) — which is only as safe as the disk it lives on; callers learn which. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "attest/att_internal.h"

typedef enum { PROV_TDX, PROV_DSTACK, PROV_NITRO, PROV_MOCK } prov_kind;

struct att_provider {
    prov_kind kind;
    char key_dir[1024];   /* empty = none configured */
    char tsm_dir[1024];
    char dstack_socket[1024];
    char nsm_device[256];
    uint8_t mock_mr[48];
    EVP_PKEY *mock_key;
};

static const char *const KIND_NAMES[] = {"tdx", "dstack", "nitro", "mock"};

static cd_status copy_path(char *dst, size_t cap, const char *src, const char *def) {
    const char *s = src ? src : def;
    if (!s) {
        dst[0] = 0;
        return CD_OK;
    }
    if (strlen(s) >= cap) return CD_ERR_INVALID_ARG;
    strcpy(dst, s);
    return CD_OK;
}

/* Loads key_dir/mock-tee-key.pem, creating a fresh P-256 key (0600) the first time. */
static cd_status mock_load_key(att_provider *p, cd_error *err) {
    char path[1100];
    snprintf(path, sizeof path, "%s/mock-tee-key.pem", p->key_dir);
    FILE *f = fopen(path, "rb");
    if (f) {
        p->mock_key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        if (!p->mock_key || EVP_PKEY_get_base_id(p->mock_key) != EVP_PKEY_EC || EVP_PKEY_get_bits(p->mock_key) != 256)
            return cd_fail(err, CD_ERR_ATT_PROVIDER, "mock: %s is not a P-256 private key", path);
        return CD_OK;
    }
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!key) return cd_fail(err, CD_ERR_ATT_PROVIDER, "mock: key generation failed");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        EVP_PKEY_free(key);
        return cd_fail(err, CD_ERR_ATT_PROVIDER, "mock: cannot create %s: %s", path, strerror(errno));
    }
    FILE *w = fdopen(fd, "wb");
    bool ok = w && PEM_write_PrivateKey(w, key, NULL, NULL, 0, NULL, NULL) == 1;
    if (w) ok = (fclose(w) == 0) && ok;
    else close(fd);
    if (!ok) {
        EVP_PKEY_free(key);
        unlink(path);
        return cd_fail(err, CD_ERR_ATT_PROVIDER, "mock: cannot write %s", path);
    }
    p->mock_key = key;
    return CD_OK;
}

cd_status att_provider_open(const att_provider_config *cfg, att_provider **out, cd_error *err) {
    *out = NULL;
    if (!cfg->name) return cd_fail(err, CD_ERR_ATT_PROVIDER, "no TEE provider named");
    int kind = -1;
    for (int i = 0; i < (int)CD_ARRAY_LEN(KIND_NAMES); i++)
        if (!strcmp(cfg->name, KIND_NAMES[i])) kind = i;
    if (kind < 0) return cd_fail(err, CD_ERR_ATT_PROVIDER, "unknown TEE provider '%s' (tdx, dstack, nitro, mock)", cfg->name);
    att_provider *p = calloc(1, sizeof *p);
    if (!p) return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    p->kind = (prov_kind)kind;
    if (copy_path(p->key_dir, sizeof p->key_dir, cfg->key_dir, NULL) ||
        copy_path(p->tsm_dir, sizeof p->tsm_dir, cfg->tsm_dir, "/sys/kernel/config/tsm/report") ||
        copy_path(p->dstack_socket, sizeof p->dstack_socket, cfg->dstack_socket, "/var/run/dstack.sock") ||
        copy_path(p->nsm_device, sizeof p->nsm_device, cfg->nsm_device, "/dev/nsm")) {
        free(p);
        return cd_fail(err, CD_ERR_INVALID_ARG, "provider path too long");
    }
    if (cfg->mock_measurement) memcpy(p->mock_mr, cfg->mock_measurement, 48);
    cd_status st = CD_OK;
    struct stat sb;
    switch (p->kind) {
    case PROV_MOCK:
        if (!p->key_dir[0]) st = cd_fail(err, CD_ERR_ATT_PROVIDER, "mock: key_dir required");
        else st = mock_load_key(p, err);
        break;
    case PROV_TDX:
        if (stat(p->tsm_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
            st = cd_fail(err, CD_ERR_ATT_PROVIDER, "tdx: %s not present (no configfs-tsm)", p->tsm_dir);
        break;
    case PROV_DSTACK:
        if (stat(p->dstack_socket, &sb) != 0 || !S_ISSOCK(sb.st_mode))
            st = cd_fail(err, CD_ERR_ATT_PROVIDER, "dstack: %s is not a socket", p->dstack_socket);
        break;
    case PROV_NITRO:
        if (stat(p->nsm_device, &sb) != 0)
            st = cd_fail(err, CD_ERR_ATT_PROVIDER, "nitro: %s not present", p->nsm_device);
        break;
    }
    if (st) {
        att_provider_close(p);
        return st;
    }
    *out = p;
    return CD_OK;
}

void att_provider_close(att_provider *p) {
    if (!p) return;
    EVP_PKEY_free(p->mock_key);
    free(p);
}

const char *att_provider_name(const att_provider *p) { return KIND_NAMES[p->kind]; }
bool att_provider_insecure(const att_provider *p) { return p->kind == PROV_MOCK; }

/* ---- tdx: configfs-tsm -------------------------------------------------------------- */

static cd_status write_file(const char *path, const void *data, size_t len) {
    int fd = open(path, O_WRONLY);
    if (fd < 0) return CD_ERR_IO;
    ssize_t w = write(fd, data, len);
    int c = close(fd);
    return (w == (ssize_t)len && c == 0) ? CD_OK : CD_ERR_IO;
}

/* One report entry per request (mkdir a fresh entry, write inblob, read outblob, rmdir):
 * concurrent users each get their own entry, and the generation counter tells us whether
 * someone else wrote to ours between our write and read. */
static cd_status tdx_quote(att_provider *p, const uint8_t rd[64], cd_buf *quote, cd_error *err) {
    char entry[1200], path[1300];
    uint8_t rnd[8];
    if (RAND_bytes(rnd, sizeof rnd) != 1) return cd_fail(err, CD_ERR_ATT_PROVIDER, "tdx: no randomness");
    snprintf(entry, sizeof entry, "%s/candor-%02x%02x%02x%02x%02x%02x%02x%02x", p->tsm_dir, rnd[0], rnd[1],
             rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
    if (mkdir(entry, 0700) != 0) return cd_fail(err, CD_ERR_ATT_PROVIDER, "tdx: mkdir %s: %s", entry, strerror(errno));
    cd_status st = CD_OK;
    cd_buf gen1 = {0}, gen2 = {0};
    snprintf(path, sizeof path, "%s/inblob", entry);
    if (write_file(path, rd, 64)) {
        st = cd_fail(err, CD_ERR_ATT_PROVIDER, "tdx: cannot write %s", path);
        goto out;
    }
    snprintf(path, sizeof path, "%s/generation", entry);
    if (cd_read_file(path, 64, &gen1)) {
        st = cd_fail(err, CD_ERR_ATT_PROVIDER, "tdx: cannot read %s", path);
        goto out;
    }
    snprintf(path, sizeof path, "%s/outblob", entry);
    size_t before = quote->len;
    if (cd_read_file(path, ATT_MAX_QUOTE_LEN, quote) || quote->len == before) {
        st = cd_fail(err, CD_ERR_ATT_PROVIDER, "tdx: cannot read quote from %s", path);
        goto out;
    }
    snprintf(path, sizeof path, "%s/generation", entry);
    if (cd_read_file(path, 64, &gen2) || gen1.len != gen2.len || memcmp(gen1.data, gen2.data, gen1.len) != 0)
        st = cd_fail(err, CD_ERR_ATT_PROVIDER, "tdx: report entry changed while reading (concurrent writer)");
out:
    cd_buf_free(&gen1);
    cd_buf_free(&gen2);
    rmdir(entry);
    return st;
}

/* ---- dstack: guest agent over a unix socket ------------------------------------------ */

static size_t curl_sink(char *ptr, size_t size, size_t nmemb, void *user) {
    cd_buf *b = user;
    size_t n = size * nmemb;
    if (b->len + n > 4 * ATT_MAX_QUOTE_LEN) return 0; /* abort: response larger than any quote */
    return cd_buf_append(b, ptr, n) == CD_OK ? n : 0;
}

/* POSTs a JSON body to the agent; returns the parsed JSON response object. */
static cd_status dstack_call(att_provider *p, const char *method, const char *body,
                             json_object **resp, cd_error *err) {
    *resp = NULL;
    CURL *c = curl_easy_init();
    if (!c) return cd_fail(err, CD_ERR_ATT_PROVIDER, "dstack: curl init failed");
    char url[128];
    snprintf(url, sizeof url, "http://dstack/%s", method);
    cd_buf out = {0};
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, p->dstack_socket);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(c);
    long http = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    cd_status st = CD_OK;
    if (rc != CURLE_OK) {
        st = cd_fail(err, CD_ERR_ATT_PROVIDER, "dstack %s: %s", method, curl_easy_strerror(rc));
    } else if (http != 200) {
        st = cd_fail(err, CD_ERR_ATT_PROVIDER, "dstack %s: HTTP %ld", method, http);
    } else {
        json_tokener *tok = json_tokener_new();
        *resp = tok ? json_tokener_parse_ex(tok, (const char *)out.data, (int)out.len) : NULL;
        if (tok) json_tokener_free(tok);
        if (!*resp || !json_object_is_type(*resp, json_type_object)) {
            json_object_put(*resp);
            *resp = NULL;
            st = cd_fail(err, CD_ERR_ATT_PROVIDER, "dstack %s: response is not a JSON object", method);
        }
    }
    if (out.data) cd_wipe(out.data, out.len); /* may hold a derived key */
    cd_buf_free(&out);
    return st;
}

static cd_status dstack_quote(att_provider *p, const uint8_t rd[64], cd_buf *quote, cd_buf *event_log,
                              cd_error *err) {
    char body[200], hex[131];
    cd_hex_encode(hex, rd, 64);
    snprintf(body, sizeof body, "{\"report_data\":\"%s\"}", hex + 2); /* agent wants no 0x */
    json_object *resp;
    cd_status st = dstack_call(p, "GetQuote", body, &resp, err);
    if (st) return st;
    json_object *q = NULL, *ev = NULL;
    const char *qs = json_object_object_get_ex(resp, "quote", &q) ? json_object_get_string(q) : NULL;
    if (!qs || cd_hex_decode_buf(qs, strlen(qs), quote))
        st = cd_fail(err, CD_ERR_ATT_PROVIDER, "dstack GetQuote: no hex 'quote' in response");
    else if (event_log && json_object_object_get_ex(resp, "event_log", &ev) && json_object_is_type(ev, json_type_string) &&
             cd_buf_append(event_log, json_object_get_string(ev), (size_t)json_object_get_string_len(ev)))
        st = cd_fail(err, CD_ERR_NOMEM, "out of memory");
    json_object_put(resp);
    return st;
}

static cd_status dstack_key(att_provider *p, const char *label, uint8_t out[32], cd_error *err) {
    char body[512];
    if (strlen(label) > 200 || strpbrk(label, "\"\\")) return cd_fail(err, CD_ERR_INVALID_ARG, "bad sealing label");
    snprintf(body, sizeof body, "{\"path\":\"candor/seal/%s\",\"purpose\":\"sealing\"}", label);
    json_object *resp;
    cd_status st = dstack_call(p, "GetKey", body, &resp, err);
    if (st) return st;
    json_object *k = NULL;
    const char *ks = json_object_object_get_ex(resp, "key", &k) ? json_object_get_string(k) : NULL;
    uint8_t key[64];
    size_t n = 0;
    if (!ks || cd_hex_decode(ks, strlen(ks), key, sizeof key, &n) || n < 32) {
        st = cd_fail(err, CD_ERR_ATT_PROVIDER, "dstack GetKey: no usable 'key' in response");
    } else {
        /* Hash rather than use the agent's key directly: the agent hands out a secp256k1
         * signing key, and a sealing key should never double as one. */
        unsigned int len = 32;
        static const char tag[] = "candor/seal/v1";
        if (!HMAC(EVP_sha256(), key, (int)n, (const uint8_t *)tag, sizeof tag - 1, out, &len))
            st = cd_fail(err, CD_ERR_INTERNAL, "HMAC failed");
    }
    cd_wipe(key, sizeof key);
    json_object_put(resp);
    return st;
}

/* ---- nitro: /dev/nsm ------------------------------------------------------------------ */

/* The NSM driver's single ioctl: request and response buffers as iovecs. */
struct nsm_message {
    struct iovec request;
    struct iovec response;
};
#define NSM_IOCTL_MAGIC 0x0A
#define NSM_IOCTL_REQUEST _IOWR(NSM_IOCTL_MAGIC, 0, struct nsm_message)
#define NSM_RESPONSE_MAX 0x3000

static cd_status nitro_quote(att_provider *p, cd_bytes pubkey, const uint8_t rd[64], cd_bytes nonce,
                             cd_buf *quote, cd_error *err) {
    cd_buf req = {0};
    if (att_nsm_request(pubkey, cd_bytes_make(rd, 64), nonce, &req))
        return cd_fail(err, CD_ERR_ATT_PROVIDER, "nitro: cannot encode NSM request");
    uint8_t *resp = malloc(NSM_RESPONSE_MAX);
    int fd = open(p->nsm_device, O_RDWR | O_CLOEXEC);
    cd_status st = CD_OK;
    if (!resp) {
        st = cd_fail(err, CD_ERR_NOMEM, "out of memory");
    } else if (fd < 0) {
        st = cd_fail(err, CD_ERR_ATT_PROVIDER, "nitro: open %s: %s", p->nsm_device, strerror(errno));
    } else {
        struct nsm_message m = {{req.data, req.len}, {resp, NSM_RESPONSE_MAX}};
        if (ioctl(fd, NSM_IOCTL_REQUEST, &m) != 0)
            st = cd_fail(err, CD_ERR_ATT_PROVIDER, "nitro: NSM request failed: %s", strerror(errno));
        else if (m.response.iov_len > NSM_RESPONSE_MAX)
            st = cd_fail(err, CD_ERR_ATT_PROVIDER, "nitro: NSM response too large");
        else
            st = att_nsm_response(cd_bytes_make(resp, m.response.iov_len), quote, err);
    }
    if (fd >= 0) close(fd);
    free(resp);
    cd_buf_free(&req);
    return st;
}

/* ---- common entry points ----------------------------------------------------------------- */

static cd_status quote_with(att_provider *p, cd_bytes pubkey, const uint8_t rd[64], cd_bytes nonce,
                            cd_buf *quote, cd_buf *event_log, cd_error *err) {
    switch (p->kind) {
    case PROV_MOCK: return att_mock_quote(p->mock_key, rd, p->mock_mr, quote, err);
    case PROV_TDX: return tdx_quote(p, rd, quote, err);
    case PROV_DSTACK: return dstack_quote(p, rd, quote, event_log, err);
    case PROV_NITRO: return nitro_quote(p, pubkey, rd, nonce, quote, err);
    }
    return cd_fail(err, CD_ERR_INTERNAL, "bad provider");
}

cd_status att_get_quote(att_provider *p, const uint8_t report_data[ATT_REPORT_DATA_LEN], cd_buf *quote,
                        cd_error *err) {
    return quote_with(p, cd_bytes_make(NULL, 0), report_data, cd_bytes_make(NULL, 0), quote, NULL, err);
}

cd_status att_attest(att_provider *p, cd_bytes pubkey, const cd_hash32 *config_digest, cd_bytes nonce,
                     att_evidence *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    if (att_report_data(pubkey, config_digest, nonce, out->report_data))
        return cd_fail(err, CD_ERR_INVALID_ARG, "public key (1..%d bytes) or nonce (<= %d bytes) out of range",
                       ATT_MAX_PUBKEY_LEN, ATT_MAX_NONCE_LEN);
    cd_status st = quote_with(p, pubkey, out->report_data, nonce, &out->quote, &out->event_log, err);
    if (st) att_evidence_free(out);
    return st;
}

void att_evidence_free(att_evidence *ev) {
    cd_buf_free(&ev->quote);
    cd_buf_free(&ev->event_log);
}

/* key_dir/sealing.key: 32 random bytes created once with mode 0600. */
static cd_status file_sealing_root(att_provider *p, uint8_t root[32], cd_error *err) {
    if (!p->key_dir[0]) return cd_fail(err, CD_ERR_ATT_PROVIDER, "%s: no key_dir for the sealing key file", KIND_NAMES[p->kind]);
    char path[1100];
    snprintf(path, sizeof path, "%s/sealing.key", p->key_dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        struct stat sb;
        ssize_t n = -1;
        if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) == 0) n = read(fd, root, 32);
        bool mode_ok = (sb.st_mode & 077) == 0;
        close(fd);
        if (!mode_ok) return cd_fail(err, CD_ERR_ATT_PROVIDER, "%s is readable by group/others; refusing it", path);
        if (n != 32) return cd_fail(err, CD_ERR_ATT_PROVIDER, "%s: expected 32 bytes", path);
        return CD_OK;
    }
    if (RAND_bytes(root, 32) != 1) return cd_fail(err, CD_ERR_ATT_PROVIDER, "no randomness for the sealing key");
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return cd_fail(err, CD_ERR_ATT_PROVIDER, "cannot create %s: %s", path, strerror(errno));
    bool ok = write(fd, root, 32) == 32;
    ok = (close(fd) == 0) && ok;
    if (!ok) {
        unlink(path);
        return cd_fail(err, CD_ERR_ATT_PROVIDER, "cannot write %s", path);
    }
    return CD_OK;
}

cd_status att_sealing_key(att_provider *p, const char *label, uint8_t out[32], bool *from_tee, cd_error *err) {
    *from_tee = false;
    if (p->kind == PROV_DSTACK) {
        *from_tee = true;
        return dstack_key(p, label, out, err);
    }
    uint8_t root[32];
    cd_status st = file_sealing_root(p, root, err);
    if (!st) {
        /* One file, many labels: HMAC(root, tag || label) keeps the derived keys independent. */
        uint8_t msg[256];
        static const char tag[] = "candor/seal/v1";
        size_t ll = strlen(label);
        unsigned int len = 32;
        if (ll > sizeof msg - sizeof tag) st = cd_fail(err, CD_ERR_INVALID_ARG, "sealing label too long");
        else {
            memcpy(msg, tag, sizeof tag);
            memcpy(msg + sizeof tag, label, ll);
            if (!HMAC(EVP_sha256(), root, 32, msg, sizeof tag + ll, out, &len))
                st = cd_fail(err, CD_ERR_INTERNAL, "HMAC failed");
        }
    }
    cd_wipe(root, sizeof root);
    return st;
}
