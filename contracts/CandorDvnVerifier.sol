// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// The view of CandorGovernance this verifier needs: is `signer` an active member's key.
interface ICandorGovernance {
    function isActiveMember(address signer) external view returns (bool);
}

/// @title CandorDvnVerifier
/// @notice Records LayerZero V2 packets that a Candor service proved on the source chain and
/// signed (POST /dvn/verify; the EIP-712 type is in docs/signing.md, "DVN answers").
/// An answer is accepted when it is for this verifier's source chain, its packet header is a
/// V1 header, and its EIP-712 signature recovers to an allowed signer: one of the addresses
/// given at deployment (e.g. a cluster's address), or, when a governance contract is set, any
/// address that governance says is an active member. The payloadHash is then recorded under
/// keccak256(packetHeader). Submitting the same (header, payloadHash) again is a no-op that
/// returns false (no revert, no second record, no event); a different payloadHash for a header
/// already recorded reverts, since two valid signatures over one packet with two payloads
/// mean a signer lied, and the first record must not be overwritten.
contract CandorDvnVerifier {
    struct DvnPacket {
        uint256 srcChainId;
        uint64 blockNumber;
        bytes32 blockHash;
        bytes32 txHash;
        uint64 logIndex;
        address endpoint;
        bytes packetHeader;
        bytes32 payloadHash;
        uint64 confirmations;
        bool finalized;
    }

    bytes32 public constant DVN_PACKET_TYPEHASH = keccak256(
        "DvnPacket(uint256 srcChainId,uint64 blockNumber,bytes32 blockHash,bytes32 txHash,uint64 logIndex,"
        "address endpoint,bytes packetHeader,bytes32 payloadHash,uint64 confirmations,bool finalized)"
    );
    uint256 private constant HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    uint256 private constant PACKET_HEADER_LEN = 81;

    uint256 public immutable srcChainId;
    ICandorGovernance public immutable governance;
    /// EIP712Domain(string name,string version,uint256 chainId) with name "Candor", version "1"
    /// and chainId = the SOURCE chain: Candor signs for the chain it proves, not for this one.
    bytes32 public immutable domainSeparator;

    mapping(address => bool) public isSigner;
    /// keccak256(packetHeader) => payloadHash (zero: not verified).
    mapping(bytes32 => bytes32) public payloadHashOf;

    event PacketVerified(bytes32 indexed headerHash, bytes32 indexed payloadHash, address signer, uint64 blockNumber,
        uint64 confirmations, bool finalized);

    error WrongChain(uint256 answered, uint256 expected);
    error BadPacketHeader();
    error ZeroPayloadHash();
    error BadSignature();
    error SignerNotAllowed(address signer);
    error ConflictingPayload(bytes32 recorded, bytes32 submitted);

    constructor(address[] memory signers, address governance_, uint256 srcChainId_) {
        for (uint256 i = 0; i < signers.length; i++) {
            isSigner[signers[i]] = true;
        }
        governance = ICandorGovernance(governance_);
        srcChainId = srcChainId_;
        domainSeparator = keccak256(abi.encode(
            keccak256("EIP712Domain(string name,string version,uint256 chainId)"),
            keccak256(bytes("Candor")), keccak256(bytes("1")), srcChainId_));
    }

    /// @return recorded true when this call recorded the packet, false when it was already.
    function submit(DvnPacket calldata a, bytes calldata signature) external returns (bool recorded) {
        if (a.srcChainId != srcChainId) revert WrongChain(a.srcChainId, srcChainId);
        if (a.packetHeader.length != PACKET_HEADER_LEN || uint8(a.packetHeader[0]) != 1) revert BadPacketHeader();
        if (a.payloadHash == bytes32(0)) revert ZeroPayloadHash();
        address signer = recover(digest(a), signature);
        if (!isAllowedSigner(signer)) revert SignerNotAllowed(signer);
        bytes32 headerHash = keccak256(a.packetHeader);
        bytes32 prev = payloadHashOf[headerHash];
        if (prev == a.payloadHash) return false;
        if (prev != bytes32(0)) revert ConflictingPayload(prev, a.payloadHash);
        payloadHashOf[headerHash] = a.payloadHash;
        emit PacketVerified(headerHash, a.payloadHash, signer, a.blockNumber, a.confirmations, a.finalized);
        return true;
    }

    function verified(bytes calldata packetHeader, bytes32 payloadHash) external view returns (bool) {
        return payloadHash != bytes32(0) && payloadHashOf[keccak256(packetHeader)] == payloadHash;
    }

    function isAllowedSigner(address signer) public view returns (bool) {
        if (isSigner[signer]) return true;
        return address(governance) != address(0) && governance.isActiveMember(signer);
    }

    function digest(DvnPacket calldata a) public view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(
            DVN_PACKET_TYPEHASH, a.srcChainId, a.blockNumber, a.blockHash, a.txHash, a.logIndex, a.endpoint,
            keccak256(a.packetHeader), a.payloadHash, a.confirmations, a.finalized));
        return keccak256(abi.encodePacked(hex"1901", domainSeparator, structHash));
    }

    /// 65 bytes r ‖ s ‖ v, v 27 or 28, s in the lower half (Candor's signatures are).
    function recover(bytes32 h, bytes calldata sig) internal pure returns (address) {
        if (sig.length != 65) revert BadSignature();
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        if (uint256(s) > HALF_ORDER || (v != 27 && v != 28)) revert BadSignature();
        address signer = ecrecover(h, v, r, s);
        if (signer == address(0)) revert BadSignature();
        return signer;
    }
}
