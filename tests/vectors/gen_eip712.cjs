// Independent computation of the EIP-712 test vector in tests/test_signer.c, written from
// the EIP-712 text with @noble/hashes (keccak) and @noble/curves (secp256k1, RFC 6979).
// Run: NODE_PATH=<dir with @noble> node tests/vectors/gen_eip712.cjs
const { keccak_256 } = require('@noble/hashes/sha3');
const { secp256k1 } = require('@noble/curves/secp256k1');
const hex = (b) => Buffer.from(b).toString('hex');
const k = (b) => Buffer.from(keccak_256(b));
const u = (n) => Buffer.from(BigInt(n).toString(16).padStart(64, '0'), 'hex');
const b32 = (h) => Buffer.from(h.replace(/^0x/, ''), 'hex');
const addr = (h) => Buffer.concat([Buffer.alloc(12), b32(h)]);
const str = (s) => k(Buffer.from(s, 'utf8'));
const T = (s) => k(Buffer.from(s));
const BLOCK = 'Block(uint256 chainId,uint64 number,bytes32 blockHash,bytes32 stateRoot,bytes32 receiptsRoot,uint64 beaconSlot,bytes32 beaconRoot,bool finalized)';
const domain = k(Buffer.concat([T('EIP712Domain(string name,string version,uint256 chainId)'), str('Candor'), str('1'), u(1)]));
const blockHash = k(Buffer.concat([T(BLOCK), u(1), u(21925176), b32('aa'.repeat(32)), b32('bb'.repeat(32)),
  b32('cc'.repeat(32)), u(10248000), b32('dd'.repeat(32)), u(1)]));
const input = b32('70a08231' + '00'.repeat(12) + '22'.repeat(20));
const reqHash = k(Buffer.concat([T('CallRequest(address from,address to,uint256 value,uint64 gas,bytes input)'),
  addr('00'.repeat(20)), addr('11'.repeat(20)), u(5), u(30000000), k(input)]));
const resHash = k(Buffer.concat([T('CallResult(uint8 status,uint64 gasUsed,bytes output)'), u(0), u(2345), k(u(1))]));
const callHash = k(Buffer.concat([T('Call(Block block,bytes32 requestHash,bytes32 resultHash)' + BLOCK), blockHash, reqHash, resHash]));
const dig = (h) => k(Buffer.concat([Buffer.from([0x19, 1]), domain, h]));
const sk = b32('11'.repeat(32));
const pub = secp256k1.getPublicKey(sk, false);
const address = k(pub.slice(1)).slice(12);
for (const [name, d] of [['block', dig(blockHash)], ['call', dig(callHash)]]) {
  const s = secp256k1.sign(d, sk);
  console.log(name, 'digest', hex(d));
  console.log(name, 'sig', s.r.toString(16).padStart(64, '0') + s.s.toString(16).padStart(64, '0') + (27 + s.recovery).toString(16));
}
console.log('domain', hex(domain), 'request', hex(reqHash), 'result', hex(resHash));
console.log('address', hex(address));
