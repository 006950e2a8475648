/// A stored password hash in PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
/// Never the password itself.
public struct PasswordHash: Sendable, Equatable, CustomStringConvertible {
    public let phcString: String
    public init(phcString: String) { self.phcString = phcString }
    /// Hashes are not secrets like passwords, but they still do not belong in logs.
    public var description: String { "PasswordHash(\(phcString.split(separator: "$").first.map(String.init) ?? "?"))" }
}

/// Turns passwords into stored hashes and checks them. Hashing is slow on purpose; callers
/// run it off the event loops.
public protocol PasswordHasher: Sendable {
    func hash(_ password: String) throws -> PasswordHash
    func verify(_ password: String, against hash: PasswordHash) -> Bool
}

/// The smallest rule set that first-run set-up and the CLI apply before the full tenant
/// password policy exists: length only.
public enum InitialPasswordRule {
    public static let minimumLength = 8
    public static let maximumLength = 1024

    public static func check(_ password: String) throws(InvalidValue) {
        guard password.count >= minimumLength else {
            throw InvalidValue("must be at least \(minimumLength) characters")
        }
        guard password.utf8.count <= maximumLength else {
            throw InvalidValue("must be at most \(maximumLength) bytes")
        }
    }
}
