/* The LayerZero V2 packet and the PacketSent event that carries it. Every length is
 * checked before it is used; nothing here reads past the slice it was given. */
#include <string.h>

#include "crypto/keccak.h"
#include "dvn/dvn.h"

static uint64_t be_read(const uint8_t *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v = (v << 8) | p[i];
    return v;
}

static void be_write(uint8_t *p, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; i++) p[n - 1 - i] = (uint8_t)(v >> (8 * i));
}

void dvn_payload_hash(const cd_hash32 *guid, cd_bytes message, cd_hash32 *out) {
    keccak256_ctx k;
    keccak256_init(&k);
    keccak256_update(&k, guid->b, 32);
    if (message.len) keccak256_update(&k, message.ptr, message.len);
    keccak256_final(&k, out->b);
}

cd_status dvn_packet_decode(cd_bytes in, dvn_packet *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    if (!in.ptr || in.len < DVN_MESSAGE_OFFSET)
        return cd_fail(err, CD_ERR_DVN_BAD_PACKET, "packet is %zu bytes, shorter than header and guid (%d)", in.len,
                       DVN_MESSAGE_OFFSET);
    size_t msg_len = in.len - DVN_MESSAGE_OFFSET;
    if (msg_len > DVN_MAX_MESSAGE)
        return cd_fail(err, CD_ERR_DVN_BAD_PACKET, "message is %zu bytes, more than the %d we sign for", msg_len,
                       DVN_MAX_MESSAGE);
    const uint8_t *p = in.ptr;
    out->version = p[0];
    if (out->version != DVN_PACKET_VERSION)
        return cd_fail(err, CD_ERR_DVN_BAD_PACKET, "packet version %u, only %d is known", out->version, DVN_PACKET_VERSION);
    out->nonce = be_read(p + 1, 8);
    out->src_eid = (uint32_t)be_read(p + 9, 4);
    memcpy(out->sender.b, p + 13, 32);
    out->dst_eid = (uint32_t)be_read(p + 45, 4);
    memcpy(out->receiver.b, p + 49, 32);
    memcpy(out->guid.b, p + DVN_GUID_OFFSET, 32);
    memcpy(out->header, p, DVN_HEADER_LEN);
    out->message = cd_bytes_make(p + DVN_MESSAGE_OFFSET, msg_len);
    dvn_payload_hash(&out->guid, out->message, &out->payload_hash);
    return CD_OK;
}

cd_status dvn_packet_encode(const dvn_packet *p, cd_buf *out) {
    if (p->message.len > DVN_MAX_MESSAGE) return CD_ERR_DVN_BAD_PACKET;
    uint8_t head[DVN_MESSAGE_OFFSET];
    head[0] = p->version;
    be_write(head + 1, p->nonce, 8);
    be_write(head + 9, p->src_eid, 4);
    memcpy(head + 13, p->sender.b, 32);
    be_write(head + 45, p->dst_eid, 4);
    memcpy(head + 49, p->receiver.b, 32);
    memcpy(head + DVN_GUID_OFFSET, p->guid.b, 32);
    cd_status st = cd_buf_append(out, head, sizeof head);
    if (st == CD_OK && p->message.len) st = cd_buf_append(out, p->message.ptr, p->message.len);
    return st;
}

void dvn_packet_sent_topic(cd_hash32 *out) {
    static const char sig[] = "PacketSent(bytes,bytes,address)";
    keccak256((const uint8_t *)sig, sizeof sig - 1, out->b);
}

/* A 32-byte ABI word holding a length or offset: the top 24 bytes must be zero, so the
 * value fits in 64 bits and cannot overflow the bounds arithmetic below. */
static bool word_small(const uint8_t *w, uint64_t *v) {
    for (int i = 0; i < 24; i++)
        if (w[i]) return false;
    *v = be_read(w + 24, 8);
    return true;
}

static size_t padded(size_t n) { return (n + 31) / 32 * 32; }

static bool zeros(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return false;
    return true;
}

/* `bytes` at `off` of data: length word, contents, zero padding to the word boundary.
 * Returns the offset just after it, or 0 on any violation. */
static size_t abi_bytes_at(cd_bytes data, uint64_t off, cd_bytes *out, const char *what, cd_error *err) {
    uint64_t len;
    if (off > data.len || data.len - off < 32) {
        cd_fail(err, CD_ERR_DVN_BAD_PACKET, "PacketSent: %s length word is outside the data", what);
        return 0;
    }
    if (!word_small(data.ptr + off, &len) || len > data.len - off - 32 || padded(len) > data.len - off - 32) {
        cd_fail(err, CD_ERR_DVN_BAD_PACKET, "PacketSent: %s length runs past the data", what);
        return 0;
    }
    const uint8_t *p = data.ptr + off + 32;
    if (!zeros(p + len, padded(len) - len)) {
        cd_fail(err, CD_ERR_DVN_BAD_PACKET, "PacketSent: %s padding is not zero", what);
        return 0;
    }
    *out = cd_bytes_make(p, len);
    return off + 32 + padded(len);
}

cd_status dvn_packet_sent_decode(cd_bytes data, dvn_packet_sent *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    if (!data.ptr || data.len < 3 * 32 + 2 * 32)
        return cd_fail(err, CD_ERR_DVN_BAD_PACKET, "PacketSent data is %zu bytes, too short", data.len);
    if (data.len > DVN_MAX_EVENT_DATA)
        return cd_fail(err, CD_ERR_DVN_BAD_PACKET, "PacketSent data is %zu bytes, more than %u", data.len, DVN_MAX_EVENT_DATA);
    if (data.len % 32) return cd_fail(err, CD_ERR_DVN_BAD_PACKET, "PacketSent data is not a whole number of words");
    uint64_t off_packet, off_options;
    if (!word_small(data.ptr, &off_packet) || !word_small(data.ptr + 32, &off_options))
        return cd_fail(err, CD_ERR_DVN_BAD_PACKET, "PacketSent: offset out of range");
    const uint8_t *addr = data.ptr + 64;
    if (!zeros(addr, 12)) return cd_fail(err, CD_ERR_DVN_BAD_PACKET, "PacketSent: sendLibrary has nonzero high bytes");
    memcpy(out->send_library.b, addr + 12, 20);
    /* Canonical layout: the head (3 words), then encodedPacket, then options, nothing else. */
    if (off_packet != 96) return cd_fail(err, CD_ERR_DVN_BAD_PACKET, "PacketSent: encodedPacket offset is not 96");
    size_t end = abi_bytes_at(data, off_packet, &out->encoded_packet, "encodedPacket", err);
    if (!end) return CD_ERR_DVN_BAD_PACKET;
    if (off_options != end) return cd_fail(err, CD_ERR_DVN_BAD_PACKET, "PacketSent: options do not follow encodedPacket");
    end = abi_bytes_at(data, off_options, &out->options, "options", err);
    if (!end) return CD_ERR_DVN_BAD_PACKET;
    if (end != data.len) return cd_fail(err, CD_ERR_DVN_BAD_PACKET, "PacketSent: %zu bytes after the last field", data.len - end);
    return CD_OK;
}
