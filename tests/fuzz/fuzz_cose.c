/* libFuzzer target: the Nitro COSE_Sign1 / CBOR parser and verifier (well-formedness scan,
 * libcbor decoding, payload fields, certificate chain, signature) and the NSM response parser.
 * Seeds: $CANDOR_DATA/nitro-evervault (the -bytes files) (pass the folder as a corpus dir). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "attest/att_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const att_verify_opts opts = {.at = 1665651500 /* inside a sample's 3-hour window */,
                                         .accept_debug = true};
    att_report rep;
    cd_error err;
    memset(&rep, 0, sizeof rep);
    (void)att_nitro_verify(cd_bytes_make(data, size), &opts, &rep, &err);
    cd_buf doc = {0};
    (void)att_nsm_response(cd_bytes_make(data, size), &doc, &err);
    cd_buf_free(&doc);
    return 0;
}
