// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// The e2e suite's stand-in for a LayerZero V2 endpoint: it emits the endpoint's event
/// PacketSent(bytes encodedPayload, bytes options, address sendLibrary) with a packet encoded
/// as the V2 layout says (version u8, nonce u64, srcEid u32, sender bytes32, dstEid u32,
/// receiver bytes32, guid bytes32, message), written here from that layout.
contract DvnEndpointMock {
    event PacketSent(bytes encodedPayload, bytes options, address sendLibrary);

    uint32 public immutable eid;
    uint64 public nonce;

    constructor(uint32 eid_) {
        eid = eid_;
    }

    function send(uint32 dstEid, bytes32 receiver, bytes calldata message, bytes calldata options) external returns (bytes32 guid) {
        nonce += 1;
        bytes32 sender = bytes32(uint256(uint160(msg.sender)));
        guid = keccak256(abi.encodePacked(nonce, eid, sender, dstEid, receiver));
        bytes memory packet = abi.encodePacked(uint8(1), nonce, eid, sender, dstEid, receiver, guid, message);
        emit PacketSent(packet, options, address(this));
    }

    /// Any bytes as the packet: for the malformed cases (truncated, wrong version).
    function sendRaw(bytes calldata encodedPacket, bytes calldata options) external {
        emit PacketSent(encodedPacket, options, address(this));
    }
}

/// A stand-in for CandorGovernance's isActiveMember view.
contract DvnGovernanceStandIn {
    mapping(address => bool) public isActiveMember;

    function setMember(address signer, bool active) external {
        isActiveMember[signer] = active;
    }
}

/// What a stock LayerZero DVN does with Candor's multisig answer, written from DVN.sol's rules:
/// hash = keccak256(abi.encodePacked(vid, target, expiration, callData)), signers recovered
/// from the EIP-191 personal-message hash of it, callData = verify(bytes,bytes32,uint64).
contract DvnMultisigProbe {
    function check(uint32 vid, address target, bytes calldata callData, uint256 expiration, bytes calldata sig)
        external pure returns (address signer, bytes32 hash, bytes memory header, bytes32 payloadHash, uint64 confirmations)
    {
        hash = keccak256(abi.encodePacked(vid, target, expiration, callData));
        bytes32 ethHash = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", hash));
        require(sig.length == 65, "sig length");
        signer = ecrecover(ethHash, uint8(sig[64]), bytes32(sig[0:32]), bytes32(sig[32:64]));
        require(bytes4(callData[0:4]) == bytes4(keccak256("verify(bytes,bytes32,uint64)")), "selector");
        (header, payloadHash, confirmations) = abi.decode(callData[4:], (bytes, bytes32, uint64));
    }
}
