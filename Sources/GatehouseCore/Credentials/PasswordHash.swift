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
