internal import Crypto
internal import CryptoExtras

/// A PBKDF2-HMAC-SHA256 or -SHA512 hash, in either of the two spellings that migrations bring:
///
/// - passlib's: `$pbkdf2-sha256$<rounds>$<salt>$<checksum>` (and `$pbkdf2-sha512$…`), salt
///   and checksum in passlib's adapted base64 (`.` for `+`, no padding), the checksum as long
///   as the digest (32 or 64 bytes);
/// - PHC: `$pbkdf2-sha256$i=<rounds>,l=<key length>$<salt>$<hash>`, standard base64 without
///   padding, the form a Keycloak credential export converts to (see docs/PASSWORD-IMPORT.md).
///
/// The password enters PBKDF2 as its UTF-8 bytes without Unicode normalisation, which is
/// what passlib and Keycloak (Java's `PBKDF2WithHmacSHA…`) do.
///
/// Limits (a hash outside them does not parse): at least 1 iteration and at most
/// ``maximumWork`` HMAC block computations, that is iterations × ⌈key length ÷ digest
/// length⌉ ≤ 10,000,000 (10 million iterations for the usual one-block key, about 1.2 s of
/// one core for SHA-256); salt 8 to 64 bytes; key 16 to 64 bytes.
public struct ImportedPBKDF2Hash: Sendable, CustomStringConvertible {
    /// The HMAC digest, named as in the hash string.
    public enum Digest: String, Sendable, CaseIterable {
        case sha256 = "pbkdf2-sha256"
        case sha512 = "pbkdf2-sha512"

        /// Bytes per PBKDF2 output block.
        var length: Int {
            switch self {
            case .sha256: 32
            case .sha512: 64
            }
        }

        var hashFunction: KDF.Insecure.PBKDF2.HashFunction {
            switch self {
            case .sha256: .sha256
            case .sha512: .sha512
            }
        }
    }

    /// Which of the two spellings the hash was written in.
    public enum Spelling: Sendable {
        /// passlib's `$pbkdf2-sha256$<rounds>$…` with adapted base64.
        case passlib
        /// `$pbkdf2-sha256$i=<rounds>,l=<length>$…` with standard base64.
        case phc
    }

    /// The most HMAC block computations (iterations × output blocks) one verification may
    /// take: 10,000,000. A longer key than the digest repeats every iteration per block, so
    /// the limit counts blocks rather than iterations alone.
    public static let maximumWork = 10_000_000
    static let saltLengths = 8...64
    static let keyLengths = 16...64

    /// The HMAC digest.
    public let digest: Digest
    /// The spelling the hash came in, for audit.
    public let spelling: Spelling
    /// The PBKDF2 iteration count.
    public let iterations: Int
    private let salt: [UInt8]
    private let hash: [UInt8]

    /// Reads `text`, or returns nil when it is not a well-formed PBKDF2 hash within the limits.
    init?(_ text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, let digest = Digest(rawValue: String(parts[1])) else {
            return nil
        }
        let spelling: Spelling
        let iterations: Int
        let salt: [UInt8], hash: [UInt8]
        if parts[2].hasPrefix("i=") {
            guard let numbers = PHCParameterList.values(parts[2], keys: ["i", "l"]),
                  let decodedSalt = UnpaddedBase64.decode(parts[3], alphabet: .standard),
                  let decodedHash = UnpaddedBase64.decode(parts[4], alphabet: .standard),
                  decodedHash.count == numbers[1]
            else { return nil }
            (spelling, iterations, salt, hash) = (.phc, numbers[0], decodedSalt, decodedHash)
        } else {
            guard let rounds = PHCParameterList.decimal(parts[2]),
                  let decodedSalt = UnpaddedBase64.decode(parts[3], alphabet: .passlibAdapted),
                  let decodedHash = UnpaddedBase64.decode(parts[4], alphabet: .passlibAdapted),
                  decodedHash.count == digest.length
            else { return nil }
            (spelling, iterations, salt, hash) = (.passlib, rounds, decodedSalt, decodedHash)
        }
        let blocks = (hash.count + digest.length - 1) / digest.length
        guard iterations >= 1, iterations * blocks <= Self.maximumWork,
              Self.saltLengths.contains(salt.count), Self.keyLengths.contains(hash.count)
        else { return nil }
        self.digest = digest
        self.spelling = spelling
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// Whether `password` matches, comparing the derived bytes in constant time. Slow on
    /// purpose: call it off the event loops.
    func verify(_ password: String) -> Bool {
        // `unsafeUncheckedRounds`: the checked variant refuses fewer than 210,000 rounds,
        // and imported hashes commonly have fewer (Keycloak 27,500, passlib 29,000). The
        // point here is to check old hashes once and replace them, not to make new ones.
        // No imported account has an empty password, and CryptoExtras force-unwraps the
        // password buffer's address, which Swift does not promise for an empty array.
        guard !password.isEmpty,
              let derived = try? KDF.Insecure.PBKDF2.deriveKey(
                  from: Array(password.utf8), salt: salt, using: digest.hashFunction,
                  outputByteCount: hash.count, unsafeUncheckedRounds: iterations)
        else { return false }
        return derived.withUnsafeBytes { ConstantTime.equals($0, hash) }
    }

    /// Algorithm and parameters, never the salt or hash.
    public var description: String { "\(digest.rawValue)(\(iterations) iterations, \(hash.count)-byte key)" }
}
