public import GatehouseCore
import Dispatch
import Synchronization

/// Repeatable "randomness" for tests (SplitMix64). Never for production secrets.
public final class SeededRandom: RandomSource {
    private let state: Mutex<UInt64>

    public init(seed: UInt64 = 42) { self.state = Mutex(seed) }

    public func bytes(_ count: Int) -> [UInt8] {
        state.withLock { state in
            (0..<count).map { _ in
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return UInt8(truncatingIfNeeded: z ^ (z >> 31))
            }
        }
    }
}

/// A password "hasher" that costs nothing, for tests that are not about hashing.
public struct PlainTestHasher: PasswordHasher {
    public init() {}
    public func hash(_ password: String) throws -> PasswordHash { PasswordHash(phcString: "$test$" + password) }
    public func verify(_ password: String, against hash: PasswordHash) -> Bool { hash.phcString == "$test$" + password }
}

/// A hasher whose checks wait until the test opens its gate, to hold the hashing pool busy.
public final class GatedTestHasher: PasswordHasher, @unchecked Sendable {
    // DispatchSemaphore is thread-safe; it is not annotated Sendable.
    private let gate = DispatchSemaphore(value: 0)
    private let plain = PlainTestHasher()

    public init() {}

    public func hash(_ password: String) throws -> PasswordHash { try plain.hash(password) }

    public func verify(_ password: String, against hash: PasswordHash) -> Bool {
        gate.wait()
        return plain.verify(password, against: hash)
    }

    /// Lets `count` waiting checks finish.
    public func open(_ count: Int) { for _ in 0..<count { gate.signal() } }
}
