import Foundation

/// Hashes and checks passwords on the ``PasswordHashingPool``: new hashes are Argon2id with
/// the configured parameters; Argon2id hashes with other parameters and imported formats
/// (bcrypt, scrypt, PBKDF2) verify too and are reported as needing a re-hash.
public struct PasswordService: Sendable {
    public let hasher: any PasswordHasher
    let pool: PasswordHashingPool
    /// A hash of a random password made with the current parameters: verified against when the
    /// account does not exist, so that an unknown user costs the same time as a wrong password.
    let decoy: PasswordHash
    /// The current parameters' PHC prefix (`$argon2id$v=19$m=19456,t=2,p=1$`); other hashes need a re-hash.
    let currentPrefix: String?

    public init(hasher: any PasswordHasher, pool: PasswordHashingPool) throws {
        self.hasher = hasher
        self.pool = pool
        self.decoy = try hasher.hash(UUID().uuidString)
        let parts = decoy.phcString.split(separator: "$", omittingEmptySubsequences: false)
        self.currentPrefix = parts.count > 4 ? parts.prefix(4).joined(separator: "$") + "$" : nil
    }

    public func hash(_ password: String) async throws -> PasswordHash {
        let hasher = self.hasher
        return try await pool.run { try hasher.hash(password) }
    }

    /// Whether `password` matches `hash`; with no hash (unknown account) the decoy is checked
    /// and the answer is false, in the same time.
    public func verify(_ password: String, against hash: PasswordHash?) async throws -> Bool {
        let hasher = self.hasher, target = hash ?? decoy
        let matches = try await pool.run { Self.verify(password, against: target, with: hasher) }
        return hash != nil && matches
    }

    /// Whether `password` matches any of `hashes` (password history), checking them all so the
    /// time does not tell which one matched.
    public func matchesAny(_ password: String, of hashes: [PasswordHash]) async throws -> Bool {
        guard !hashes.isEmpty else { return false }
        let hasher = self.hasher
        return try await pool.run {
            hashes.reduce(false) { found, hash in Self.verify(password, against: hash, with: hasher) || found }
        }
    }

    /// Whether a hash that just verified should be replaced by one with the current parameters.
    public func needsRehash(_ hash: PasswordHash) -> Bool {
        guard let currentPrefix else { return false }
        return !hash.phcString.hasPrefix(currentPrefix)
    }

    static func verify(_ password: String, against hash: PasswordHash, with hasher: any PasswordHasher) -> Bool {
        if let imported = ImportedPasswordHash(hash) { return imported.verify(password) }
        return hasher.verify(password, against: hash)
    }
}
