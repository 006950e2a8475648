/// A password hash that people bring when they move to Gatehouse from another identity
/// system (Keycloak, Genesys, Dex, anything built on passlib), which Gatehouse can check
/// but does not write: bcrypt, scrypt, and PBKDF2-HMAC-SHA256/-SHA512.
///
/// Gatehouse's own hashes are Argon2id (``Argon2idHasher``). An imported hash is only
/// verified, at sign-in; after a successful sign-in the caller replaces it with an Argon2id
/// hash of the same password, so imported formats fade out as people sign in.
///
/// Reading a hash also checks its cost parameters, because an imported hash is data from
/// outside: a hash whose verification would take seconds of CPU or hundreds of megabytes
/// is refused like a malformed one. The limits are on ``ImportedBcryptHash``,
/// ``ImportedScryptHash`` and ``ImportedPBKDF2Hash``.
///
/// Verifying is slow on purpose (milliseconds to seconds): run it off the event loops.
public enum ImportedPasswordHash: Sendable, CustomStringConvertible {
    /// `$2a$`, `$2b$` or `$2y$`.
    case bcrypt(ImportedBcryptHash)
    /// `$scrypt$ln=…,r=…,p=…$…` as passlib writes it.
    case scrypt(ImportedScryptHash)
    /// `$pbkdf2-sha256$…` or `$pbkdf2-sha512$…`, in passlib's or the PHC spelling.
    case pbkdf2(ImportedPBKDF2Hash)

    /// Reads `hash`; nil when it is none of the imported formats (an Argon2id hash, say), is
    /// malformed, or has parameters beyond the limits. Callers treat nil like any other
    /// failed check, without telling the person why.
    public init?(_ hash: PasswordHash) {
        let text = hash.phcString
        if text.hasPrefix("$2") {
            guard let bcrypt = ImportedBcryptHash(text) else { return nil }
            self = .bcrypt(bcrypt)
        } else if text.hasPrefix("$scrypt$") {
            guard let scrypt = ImportedScryptHash(text) else { return nil }
            self = .scrypt(scrypt)
        } else if text.hasPrefix("$pbkdf2-") {
            guard let pbkdf2 = ImportedPBKDF2Hash(text) else { return nil }
            self = .pbkdf2(pbkdf2)
        } else {
            return nil
        }
    }

    /// The algorithm's name for logs and audit records: `bcrypt`, `scrypt`, `pbkdf2-sha256`
    /// or `pbkdf2-sha512`.
    public var algorithm: String {
        switch self {
        case .bcrypt: "bcrypt"
        case .scrypt: "scrypt"
        case .pbkdf2(let pbkdf2): pbkdf2.digest.rawValue
        }
    }

    /// Whether `password` (its UTF-8 bytes, not normalised) matches the hash. An empty
    /// password never matches. Slow on purpose: call it off the event loops.
    public func verify(_ password: String) -> Bool {
        switch self {
        case .bcrypt(let bcrypt): bcrypt.verify(password)
        case .scrypt(let scrypt): scrypt.verify(password)
        case .pbkdf2(let pbkdf2): pbkdf2.verify(password)
        }
    }

    /// Algorithm and cost parameters, never the salt or hash, so it is safe to log.
    public var description: String {
        switch self {
        case .bcrypt(let bcrypt): bcrypt.description
        case .scrypt(let scrypt): scrypt.description
        case .pbkdf2(let pbkdf2): pbkdf2.description
        }
    }
}
