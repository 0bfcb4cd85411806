// SPDX-License-Identifier: MIT
// Storage, events, a revert and a few opcodes for Candor's end-to-end test: a counter (slot 0),
// a mapping (slot 1), a dynamic array (slot 2), and view functions that read other accounts.
pragma solidity ^0.8.20;

interface IBalance {
    function balanceOf(address who) external view returns (uint256);
}

contract Store {
    uint256 public counter;                     // slot 0
    mapping(uint256 => bytes32) public values;  // slot 1
    uint256[] public history;                   // slot 2

    event Stored(uint256 indexed key, bytes32 value, address indexed by);

    function store(uint256 key, bytes32 value) external {
        counter += 1;
        values[key] = value;
        history.push(key);
        emit Stored(key, value, msg.sender);
    }

    function historyLength() external view returns (uint256) {
        return history.length;
    }

    /* Reads another contract's state: the service must prove that account too. */
    function balanceVia(address token, address who) external view returns (uint256) {
        return IBalance(token).balanceOf(who);
    }

    /* Always reverts with a reason, for the Revert branch of /call. */
    function fail(uint256 code) external pure returns (uint256) {
        require(code == 0, "Store: fail requested");
        return 1;
    }

    /* Hashes the proven state it reads, for an eth_call whose result depends on many slots. */
    function digest(uint256 n) external view returns (bytes32 h) {
        h = keccak256(abi.encode(counter, address(this).balance, block.number));
        for (uint256 i = 0; i < n && i < history.length; i++) {
            h = keccak256(abi.encode(h, values[history[i]]));
        }
    }
}
