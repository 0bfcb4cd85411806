/* libFuzzer target for everything the HTTP front end parses from a client: JSON-RPC bodies
 * (single, batch, notifications) through the real envelope code with a backend that
 * validates params like the daemon's helpers, /call bodies, and config files. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "src/config.h"

static void fuzz_rpc(void *ctx, const char *method, json_object *params, api_rpc_result *out) {
    (void)ctx;
    cd_error e;
    size_t n = json_object_array_length(params);
    if (!strcmp(method, "a") && n > 0) {
        cd_address a;
        if (api_get_address(json_object_array_get_idx(params, 0), "a", &a, &e) != CD_OK) {
            api_rpc_fail(out, API_RPC_INVALID_PARAMS, "%s", cd_error_text(&e));
            return;
        }
    } else if (!strcmp(method, "b") && n > 0) {
        api_block_ref r;
        if (api_get_block_ref(json_object_array_get_idx(params, 0), "b", &r, &e) != CD_OK) {
            api_rpc_fail(out, API_RPC_INVALID_PARAMS, "%s", cd_error_text(&e));
            return;
        }
    } else if (!strcmp(method, "c") && n > 0) {
        cd_buf b = {0};
        cd_status s = api_get_data(json_object_array_get_idx(params, 0), "c", 1024, &b, &e);
        cd_buf_free(&b);
        if (s != CD_OK) {
            api_rpc_fail(out, API_RPC_INVALID_PARAMS, "%s", cd_error_text(&e));
            return;
        }
    }
    out->result = json_object_new_string("ok");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    api_backend b;
    memset(&b, 0, sizeof b);
    b.rpc = fuzz_rpc;
    unsigned status = 0;
    size_t len = 0;
    char *out = api_jsonrpc_handle(&b, (const char *)data, size, 8, &status, &len);
    if (out && strlen(out) != len) abort();
    free(out);

    json_object *j = NULL;
    cd_error e;
    if (api_json_parse((const char *)data, size, &j, &e) == CD_OK) {
        api_call_request req;
        if (api_parse_call_request(j, &req, &e) == CD_OK) api_call_request_free(&req);
        json_object_put(j);
    }

    svc_config cfg;
    svc_config_defaults(&cfg);
    if (svc_config_parse_file_text(&cfg, (const char *)data, size, "fuzz", &e) != CD_OK) return 0;
    return 0;
}
