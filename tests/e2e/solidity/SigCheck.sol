// SPDX-License-Identifier: MIT
// Exposes the CandorSig library of docs/signing.md (extracted from the doc at test time and
// compiled next to this file as CandorSig.sol) so the e2e test can ask a contract, through
// anvil's eth_call, to ecrecover the signer of real candor answers.
pragma solidity ^0.8.20;

import "./CandorSig.sol";

contract SigCheck {
    function blockSigner(CandorSig.Block calldata b, uint8 v, bytes32 r, bytes32 s) external pure returns (address) {
        return CandorSig.blockSigner(b, v, r, s);
    }

    function requestHash(address from, address to, uint256 value, uint64 gas, bytes calldata input)
        external pure returns (bytes32)
    {
        return CandorSig.requestHash(from, to, value, gas, input);
    }

    function resultHash(uint8 status, uint64 gasUsed, bytes calldata output) external pure returns (bytes32) {
        return CandorSig.resultHash(status, gasUsed, output);
    }

    function callSigner(CandorSig.Block calldata b, bytes32 reqHash, bytes32 resHash, uint8 v, bytes32 r, bytes32 s)
        external pure returns (address)
    {
        return CandorSig.callSigner(b, reqHash, resHash, v, r, s);
    }

    /* As a contract should check: for the chain it runs on (block.chainid), whatever chain id
     * the answer states. */
    function blockSignerHere(CandorSig.Block calldata b, uint8 v, bytes32 r, bytes32 s) external view returns (address) {
        CandorSig.Block memory m = b;
        m.chainId = block.chainid;
        return CandorSig.blockSigner(m, v, r, s);
    }

    function callSignerHere(CandorSig.Block calldata b, bytes32 reqHash, bytes32 resHash, uint8 v, bytes32 r, bytes32 s)
        external view returns (address)
    {
        CandorSig.Block memory m = b;
        m.chainId = block.chainid;
        return CandorSig.callSigner(m, reqHash, resHash, v, r, s);
    }
}
