// Independent computation of the DVN test vectors in tests/test_dvn.c, written from the
// LayerZero V2 packet layout (PacketV1Codec), the Solidity ABI spec, EIP-712 and EIP-191 with
// @noble/hashes (keccak) and @noble/curves (secp256k1, RFC 6979). Nothing here calls Candor.
// Run: NODE_PATH=tests/e2e/node_modules node tests/vectors/gen_dvn.cjs
const { keccak_256 } = require('@noble/hashes/sha3');
const { secp256k1 } = require('@noble/curves/secp256k1');
const hex = (b) => Buffer.from(b).toString('hex');
const k = (b) => Buffer.from(keccak_256(b));
const B = (h) => Buffer.from(h.replace(/^0x/, ''), 'hex');
const be = (n, bytes) => Buffer.from(BigInt(n).toString(16).padStart(bytes * 2, '0'), 'hex');
const word = (n) => be(n, 32);
const pad32 = (b) => Buffer.concat([b, Buffer.alloc((32 - (b.length % 32)) % 32)]);
const abiBytes = (b) => Buffer.concat([word(b.length), pad32(b)]);

// The packet: version 1, nonce 7, srcEid 40161, sender = an address as bytes32, dstEid 30101,
// receiver bytes32, guid, message.
const sender = Buffer.concat([Buffer.alloc(12), B('11'.repeat(20))]);
const receiver = B('22'.repeat(32));
const guid = k(Buffer.from('candor guid'));
const message = Buffer.from('hello from candor, a proven packet');
const header = Buffer.concat([be(1, 1), be(7, 8), be(40161, 4), sender, be(30101, 4), receiver]);
const packet = Buffer.concat([header, guid, message]);
const payloadHash = k(Buffer.concat([guid, message]));
console.log('packet', hex(packet));
console.log('header', hex(header));
console.log('guid', hex(guid));
console.log('payloadHash', hex(payloadHash));

// PacketSent(bytes encodedPacket, bytes options, address sendLibrary): no indexed params.
const topic = k(Buffer.from('PacketSent(bytes,bytes,address)'));
const options = B('0003010011010000000000000000000000000000ea60');
const sendLib = B('33'.repeat(20));
const encPacket = abiBytes(packet);
const data = Buffer.concat([word(96), word(96 + encPacket.length), Buffer.concat([Buffer.alloc(12), sendLib]), encPacket, abiBytes(options)]);
console.log('topic', hex(topic));
console.log('eventData', hex(data));

// The signed answer (EIP-712), domain chainId = the source chain.
const TYPE = 'DvnPacket(uint256 srcChainId,uint64 blockNumber,bytes32 blockHash,bytes32 txHash,uint64 logIndex,address endpoint,bytes packetHeader,bytes32 payloadHash,uint64 confirmations,bool finalized)';
const endpoint = B('44'.repeat(20));
const structHash = k(Buffer.concat([k(Buffer.from(TYPE)), word(31337), word(1234), B('aa'.repeat(32)), B('bb'.repeat(32)), word(5),
  Buffer.concat([Buffer.alloc(12), endpoint]), k(header), payloadHash, word(12), word(1)]));
const domain = k(Buffer.concat([k(Buffer.from('EIP712Domain(string name,string version,uint256 chainId)')), k(Buffer.from('Candor')),
  k(Buffer.from('1')), word(31337)]));
const digest = k(Buffer.concat([Buffer.from([0x19, 0x01]), domain, structHash]));
console.log('structHash', hex(structHash));
console.log('digest', hex(digest));
const sk = B('11'.repeat(32));
const sig = secp256k1.sign(digest, sk);
console.log('signature', sig.r.toString(16).padStart(64, '0') + sig.s.toString(16).padStart(64, '0') + (27 + sig.recovery).toString(16));

// The multisig path: verify(bytes,bytes32,uint64) calldata, hashCallData, EIP-191.
const sel = k(Buffer.from('verify(bytes,bytes32,uint64)')).subarray(0, 4);
const callData = Buffer.concat([sel, word(96), payloadHash, word(12), abiBytes(header)]);
const target = B('55'.repeat(20));
const msHash = k(Buffer.concat([be(30110, 4), target, word(1767225600), callData]));
const eip191 = k(Buffer.concat([Buffer.from('\x19Ethereum Signed Message:\n32'), msHash]));
console.log('callData', hex(callData));
console.log('multisigHash', hex(msHash));
console.log('eip191', hex(eip191));
