internal import CArgon2

/// Argon2id through the reference implementation (Debian's libargon2).
/// Defaults are OWASP's: 19 MiB, 2 passes, 1 lane, 16-byte salt, 32-byte hash.
public struct Argon2idHasher: PasswordHasher {
    public struct Parameters: Sendable, Equatable {
        /// Memory in KiB.
        public var memoryKiB: UInt32
        public var iterations: UInt32
        public var parallelism: UInt32
        public init(memoryKiB: UInt32 = 19_456, iterations: UInt32 = 2, parallelism: UInt32 = 1) {
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.parallelism = parallelism
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let parameters: Parameters
    private let random: any RandomSource
    private static let saltLength = 16
    private static let hashLength = 32

    public init(parameters: Parameters = Parameters(), random: any RandomSource = SystemRandomSource()) {
        self.parameters = parameters
        self.random = random
    }

    public func hash(_ password: String) throws -> PasswordHash {
        let salt = random.bytes(Self.saltLength)
        let length = argon2_encodedlen(parameters.iterations, parameters.memoryKiB, parameters.parallelism,
                                       UInt32(Self.saltLength), UInt32(Self.hashLength), GATEHOUSE_ARGON2_ID)
        var encoded = [CChar](repeating: 0, count: length)
        let bytes = Array(password.utf8)
        let status = argon2id_hash_encoded(parameters.iterations, parameters.memoryKiB, parameters.parallelism,
                                           bytes, bytes.count, salt, salt.count, Self.hashLength, &encoded, length)
        guard status == GATEHOUSE_ARGON2_OK else {
            throw Failure(description: "argon2id: " + String(cString: argon2_error_message(status)))
        }
        return PasswordHash(phcString: String(decoding: encoded.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
    }

    public func verify(_ password: String, against hash: PasswordHash) -> Bool {
        guard hash.phcString.hasPrefix("$argon2id$") else { return false }
        let bytes = Array(password.utf8)
        return argon2id_verify(hash.phcString, bytes, bytes.count) == GATEHOUSE_ARGON2_OK
    }
}
