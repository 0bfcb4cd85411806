// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A hostile "governance" for the e2e suite: it carries CandorGovernance's layout tag in slot 0
/// and lets anyone write any storage word, so that the test can build states our own contract
/// never produces (a member list over Candor's bound, an oversized string).
contract RawStorage {
    constructor() {
        bytes32 tag = keccak256("candor.governance.v1");
        assembly { sstore(0, tag) }
    }

    function put(bytes32 slot, bytes32 value) external {
        assembly { sstore(slot, value) }
    }
}
