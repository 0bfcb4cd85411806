/* libFuzzer target: the DVN decoders on arbitrary bytes. The input is tried as a PacketSent
 * event's data and as a bare V2 packet. Whatever decodes must point inside the input,
 * respect the bounds (header + guid present, message at most DVN_MAX_MESSAGE) and re-encode to
 * exactly the same bytes; the payload hash must be keccak256(guid ‖ message). ASan checks
 * that nothing reads past the input. */
#include <stdlib.h>
#include <string.h>

#include "dvn/dvn.h"

static bool inside(cd_bytes part, const uint8_t *data, size_t size) {
    return part.len == 0 || (part.ptr >= data && part.len <= size && (size_t)(part.ptr - data) <= size - part.len);
}

static void check_packet(cd_bytes in) {
    dvn_packet p;
    if (dvn_packet_decode(in, &p, NULL) != CD_OK) return;
    if (in.len < DVN_MESSAGE_OFFSET || p.message.len > DVN_MAX_MESSAGE || p.version != DVN_PACKET_VERSION) abort();
    if (!inside(p.message, in.ptr, in.len)) abort();
    cd_buf out = {0};
    if (dvn_packet_encode(&p, &out) != CD_OK) abort();
    if (out.len != in.len || memcmp(out.data, in.ptr, in.len)) abort();
    cd_buf_free(&out);
    cd_hash32 h;
    dvn_payload_hash(&p.guid, p.message, &h);
    if (!cd_hash32_eq(&h, &p.payload_hash)) abort();
    uint8_t call[DVN_VERIFY_CALLDATA_LEN];
    dvn_verify_calldata(p.header, &p.payload_hash, p.nonce, call);
    dvn_multisig_hash(p.src_eid, (const cd_address *)p.receiver.b, p.nonce, cd_bytes_make(call, sizeof call), &h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cd_bytes in = cd_bytes_make(data, size);
    dvn_packet_sent ev;
    if (dvn_packet_sent_decode(in, &ev, NULL) == CD_OK) {
        if (!inside(ev.encoded_packet, data, size) || !inside(ev.options, data, size)) abort();
        if (size % 32 || size > DVN_MAX_EVENT_DATA) abort();
        check_packet(ev.encoded_packet);
    }
    check_packet(in);
    return 0;
}
