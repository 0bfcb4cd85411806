/* candor proof verify --state-root 0x.. FILE.json
 *
 * Verifies a saved eth_getProof response (a JSON-RPC response or its bare result; helios'
 * {account, code, accountProof, storageProof} form too, with --address) against a state
 * root the caller trusts, and prints what is proven as JSON. Exit 0 when it verifies,
 * 1 with the precise reason on stderr when it does not, 2 on usage or I/O errors. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "mpt/mpt.h"
#include "src/commands.h"

#define PROOF_FILE_MAX (64u << 20)

static void usage(FILE *out) {
    fprintf(out,
            "usage: candor proof verify --state-root 0x<32 bytes> [--address 0x<20 bytes>] FILE.json\n"
            "\n"
            "Verifies an eth_getProof response (EIP-1186) saved in FILE.json (\"-\" for stdin):\n"
            "the account under the state root, every storage slot under the account's\n"
            "storageHash, and the code against codeHash when the file carries \"code\".\n"
            "--address supplies the address when the file has none (helios account format).\n"
            "Prints the proven account and slots as JSON and exits 0, or prints the reason\n"
            "the proof fails and exits 1 (2: usage or I/O error).\n");
}

static json_object *hex_string(const uint8_t *b, size_t n) {
    char buf[2 * 32 + 3];
    if (n > 32) return NULL;
    cd_hex_encode(buf, b, n);
    return json_object_new_string(buf);
}

static json_object *quantity(const cd_u256 *v) {
    char buf[67];
    cd_u256_to_quantity(v, buf);
    return json_object_new_string(buf);
}

static json_object *proven_json(const mpt_account_proof *p, bool exists) {
    json_object *o = json_object_new_object();
    json_object_object_add(o, "address", hex_string(p->address.b, 20));
    json_object_object_add(o, "exists", json_object_new_boolean(exists));
    cd_u256 nonce = {{p->account.nonce, 0, 0, 0}};
    json_object_object_add(o, "nonce", quantity(&nonce));
    json_object_object_add(o, "balance", quantity(&p->account.balance));
    const cd_hash32 *sr = exists ? &p->account.storage_root : &mpt_empty_trie_root;
    const cd_hash32 *ch = exists ? &p->account.code_hash : &mpt_empty_code_hash;
    json_object_object_add(o, "storageHash", hex_string(sr->b, 32));
    json_object_object_add(o, "codeHash", hex_string(ch->b, 32));
    if (p->has_code) json_object_object_add(o, "codeVerified", json_object_new_boolean(true));
    json_object *slots = json_object_new_array();
    for (size_t i = 0; i < p->storage_len; i++) {
        json_object *s = json_object_new_object();
        json_object_object_add(s, "key", hex_string(p->storage[i].key.b, 32));
        json_object_object_add(s, "value", quantity(&p->storage[i].value));
        json_object_array_add(slots, s);
    }
    json_object_object_add(o, "storage", slots);
    return o;
}

static int read_input(const char *path, cd_buf *out) {
    if (strcmp(path, "-") != 0) return cd_read_file(path, PROOF_FILE_MAX, out) == CD_OK ? 0 : -1;
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
        if (out->len + n > PROOF_FILE_MAX || cd_buf_append(out, chunk, n) != CD_OK) return -1;
    }
    return ferror(stdin) ? -1 : 0;
}

/* Parses the file; injects --address into an object without one. */
static cd_status parse_file(const cd_buf *text, const char *address, mpt_account_proof *p, cd_error *err) {
    json_tokener *tok = json_tokener_new();
    if (!tok) return CD_ERR_NOMEM;
    json_object *root = json_tokener_parse_ex(tok, (const char *)text->data, (int)text->len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    json_tokener_free(tok);
    if (!root || jerr != json_tokener_success) {
        json_object_put(root);
        return cd_fail(err, CD_ERR_BAD_JSON, "not valid JSON (%s)", json_tokener_error_desc(jerr));
    }
    json_object *result = root, *inner = NULL;
    if (json_object_object_get_ex(root, "result", &inner)) result = inner;
    if (address && json_object_is_type(result, json_type_object))
        json_object_object_add(result, "address", json_object_new_string(address));
    cd_status s = mpt_account_proof_from_json(result, p, err);
    json_object_put(root);
    return s;
}

static int proof_verify(int argc, char **argv) {
    const char *root_hex = NULL, *file = NULL, *address = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--state-root") && i + 1 < argc) {
            root_hex = argv[++i];
        } else if (!strcmp(argv[i], "--address") && i + 1 < argc) {
            address = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] != 0) {
            fprintf(stderr, "candor proof verify: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!file) {
            file = argv[i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!root_hex || !file) {
        usage(stderr);
        return 2;
    }
    cd_hash32 root;
    if (cd_hex_decode_exact(root_hex, root.b, 32) != CD_OK) {
        fprintf(stderr, "candor proof verify: --state-root must be 0x followed by 64 hex digits\n");
        return 2;
    }
    cd_address addr_check;
    if (address && cd_hex_decode_exact(address, addr_check.b, 20) != CD_OK) {
        fprintf(stderr, "candor proof verify: --address must be 0x followed by 40 hex digits\n");
        return 2;
    }
    cd_buf text = {0};
    if (read_input(file, &text) != 0) {
        fprintf(stderr, "candor proof verify: cannot read %s\n", file);
        cd_buf_free(&text);
        return 2;
    }
    cd_error err;
    cd_error_clear(&err);
    mpt_account_proof p;
    cd_status s = parse_file(&text, address, &p, &err);
    cd_buf_free(&text);
    if (s) {
        fprintf(stderr, "candor proof verify: %s: %s (%s)\n", file, cd_error_text(&err), cd_status_name(s));
        return 1;
    }
    bool exists = false;
    s = mpt_account_proof_verify(&root, &p, &exists, &err);
    if (s) {
        fprintf(stderr, "candor proof verify: REJECTED: %s (%s)\n", cd_error_text(&err), cd_status_name(s));
        mpt_account_proof_free(&p);
        return 1;
    }
    json_object *out = proven_json(&p, exists);
    json_object_object_add(out, "stateRoot", hex_string(root.b, 32));
    printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(out);
    mpt_account_proof_free(&p);
    return 0;
}

int cmd_proof(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "verify")) return proof_verify(argc - 1, argv + 1);
    fprintf(stderr, "candor proof: unknown subcommand '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
