// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title CandorGovernance: which Candor builds are approved and which nodes are members.
/// @notice Candor reads this contract from storage alone, through its own light client and
/// storage proofs at finalized blocks (docs/governance.md documents every slot). The storage
/// order below is therefore an interface: do not reorder, insert or retype state variables.
/// @dev The owner may be a multisig (e.g. a Safe); every change emits an event.
contract CandorGovernance {
    struct Measurement {
        string version;    // human-readable build name, 1..256 bytes; non-empty marks "listed"
        uint64 notBefore;  // unix seconds, inclusive
        uint64 notAfter;   // unix seconds, inclusive
        bool revoked;
    }

    struct Member {
        string endpoint;   // the node's public URL, 1..256 bytes
        bool active;
    }

    /// Bounds Candor enforces when reading; the contract keeps within them.
    uint256 public constant MAX_MEASUREMENTS = 64;
    uint256 public constant MAX_MEMBERS = 64;
    uint256 public constant MAX_STRING = 256;

    bytes32 public constant LAYOUT_TAG = keccak256("candor.governance.v1");

    // slot 0
    bytes32 public layoutTag;
    // slot 1
    address public owner;
    // slot 2: length; elements at keccak256(2) + i
    bytes32[] public measurementIds;
    // slot 3: measurements[id] at keccak256(id ‖ 3): +0 version, +1 notBefore|notAfter|revoked
    mapping(bytes32 => Measurement) public measurements;
    // slot 4: length; elements at keccak256(4) + i
    address[] public memberList;
    // slot 5: members[a] at keccak256(pad32(a) ‖ 5): +0 endpoint, +1 active
    mapping(address => Member) public members;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event MeasurementAdded(bytes32 indexed id, string version, uint64 notBefore, uint64 notAfter);
    event MeasurementRevoked(bytes32 indexed id);
    event MeasurementRemoved(bytes32 indexed id);
    event MemberAdded(address indexed signer, string endpoint);
    event MemberRemoved(address indexed signer);

    error NotOwner();
    error BadArgument(string what);
    error TooMany(string what);
    error Unknown(string what);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    constructor(address owner_) {
        if (owner_ == address(0)) revert BadArgument("owner");
        layoutTag = LAYOUT_TAG;
        owner = owner_;
        emit OwnershipTransferred(address(0), owner_);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert BadArgument("owner");
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    /// Approves (or re-approves, replacing version and window and clearing a revocation) a build.
    /// notAfter must be non-zero: every stored word then differs from zero, which keeps the
    /// storage trie canonical on every client.
    function addMeasurement(bytes32 id, string calldata version, uint64 notBefore, uint64 notAfter) external onlyOwner {
        uint256 n = bytes(version).length;
        if (id == bytes32(0)) revert BadArgument("id");
        if (n == 0 || n > MAX_STRING) revert BadArgument("version length");
        if (notAfter == 0 || notAfter < notBefore) revert BadArgument("window");
        Measurement storage m = measurements[id];
        if (bytes(m.version).length == 0) {
            if (measurementIds.length >= MAX_MEASUREMENTS) revert TooMany("measurements");
            measurementIds.push(id);
        }
        m.version = version;
        m.notBefore = notBefore;
        m.notAfter = notAfter;
        m.revoked = false;
        emit MeasurementAdded(id, version, notBefore, notAfter);
    }

    /// Revokes a build; it stays listed (so verifiers can say "revoked", not just "unknown").
    function revokeMeasurement(bytes32 id) external onlyOwner {
        Measurement storage m = measurements[id];
        if (bytes(m.version).length == 0) revert Unknown("measurement");
        m.revoked = true;
        emit MeasurementRevoked(id);
    }

    /// Forgets a build entirely (frees its place under MAX_MEASUREMENTS).
    function removeMeasurement(bytes32 id) external onlyOwner {
        if (bytes(measurements[id].version).length == 0) revert Unknown("measurement");
        uint256 n = measurementIds.length;
        for (uint256 i = 0; i < n; i++) {
            if (measurementIds[i] == id) {
                if (i != n - 1) measurementIds[i] = measurementIds[n - 1];
                measurementIds.pop();
                break;
            }
        }
        delete measurements[id];
        emit MeasurementRemoved(id);
    }

    function addMember(address signer, string calldata endpoint) external onlyOwner {
        uint256 n = bytes(endpoint).length;
        if (signer == address(0)) revert BadArgument("signer");
        if (n == 0 || n > MAX_STRING) revert BadArgument("endpoint length");
        Member storage k = members[signer];
        if (!k.active) {
            if (memberList.length >= MAX_MEMBERS) revert TooMany("members");
            memberList.push(signer);
            k.active = true;
        }
        k.endpoint = endpoint;
        emit MemberAdded(signer, endpoint);
    }

    /// Removes a member: swap-and-pop in memberList, and its mapping entry is cleared.
    function removeMember(address signer) external onlyOwner {
        if (!members[signer].active) revert Unknown("member");
        uint256 n = memberList.length;
        for (uint256 i = 0; i < n; i++) {
            if (memberList[i] == signer) {
                if (i != n - 1) memberList[i] = memberList[n - 1];
                memberList.pop();
                break;
            }
        }
        delete members[signer];
        emit MemberRemoved(signer);
    }

    // ---- views (the DVN verifier contract calls these) ----

    function isActiveMember(address signer) external view returns (bool) {
        return members[signer].active;
    }

    function isApproved(bytes32 id, uint64 time) external view returns (bool) {
        Measurement storage m = measurements[id];
        return bytes(m.version).length != 0 && !m.revoked && m.notBefore <= time && time <= m.notAfter;
    }

    function measurementCount() external view returns (uint256) {
        return measurementIds.length;
    }

    function memberCount() external view returns (uint256) {
        return memberList.length;
    }
}
