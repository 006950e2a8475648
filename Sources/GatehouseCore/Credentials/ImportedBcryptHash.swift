internal import HummingbirdBcrypt

/// A bcrypt hash brought from another system: `$2a$`, `$2b$` or `$2y$`, a two-digit cost,
/// then 53 characters of bcrypt's own base64 (22 for the salt, 31 for the hash). Dex,
/// Apache's `htpasswd -B`, PHP, Go and Java libraries write this form.
///
/// **Only the first 72 bytes count.** bcrypt keys Blowfish with at most 72 bytes of the
/// password's UTF-8, so a longer password verifies whenever its first 72 bytes match, in
/// every bcrypt implementation. Gatehouse keeps that behaviour, or people with long
/// passwords could not sign in after the import; the Argon2id hash made at their next
/// sign-in covers the whole password.
///
/// The three prefixes name one algorithm. `$2b$` and `$2y$` differ from `$2a$` only in
/// fixing implementation bugs, so every variant is checked the `$2b$` way: 72 bytes, no
/// wrap-around of the length for passwords of 255 bytes or more (OpenBSD's old `$2a$` bug).
/// PHP's pre-2011 `$2a$` hashes of non-ASCII passwords (crypt_blowfish's sign-extension
/// bug, later renamed `$2x$`) do not verify; `$2x$` itself is refused.
///
/// Limit: cost 4 (bcrypt's minimum) to ``maximumCost``.
public struct ImportedBcryptHash: Sendable, CustomStringConvertible {
    /// The highest cost accepted: 16, 2^16 rounds, about four seconds of one core. Each step
    /// doubles the work, so a planted cost-31 hash would hold a thread for days.
    public static let maximumCost = 16

    /// The prefix letter as written (`a`, `b` or `y`), kept for audit.
    public let variant: Character
    /// log2 of the number of rounds.
    public let cost: Int
    /// The same hash spelled `$2b$`, the one prefix the underlying C code reads and checks
    /// the modern way (see the type's documentation).
    private let canonical: String

    /// Reads `text`, or returns nil when it is not a well-formed bcrypt hash within the limit.
    init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 60,
              bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
              [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]),
              bytes[3] == UInt8(ascii: "$"), bytes[6] == UInt8(ascii: "$"),
              let tens = Self.digit(bytes[4]), let units = Self.digit(bytes[5]),
              bytes[7...].allSatisfy(Self.isBcryptBase64)
        else { return nil }
        let cost = tens * 10 + units
        guard (4...Self.maximumCost).contains(cost) else { return nil }
        self.variant = Character(UnicodeScalar(bytes[2]))
        self.cost = cost
        self.canonical = "$2b" + String(decoding: bytes[3...], as: UTF8.self)
    }

    /// Whether `password` matches. Slow on purpose: call it off the event loops.
    ///
    /// A password containing a NUL byte never matches: the C code underneath would stop
    /// reading at the NUL and accept anything that shares the part before it.
    func verify(_ password: String) -> Bool {
        guard !password.isEmpty, !password.utf8.contains(0) else { return false }
        // HummingbirdBcrypt compares the recomputed string with memcmp, not in constant time.
        // What leaks is how much of a salted slow hash of the attacker's own guess matches,
        // which does not bring them closer to the password.
        return Bcrypt.verify(password, hash: canonical)
    }

    /// Algorithm and cost, never the salt or hash.
    public var description: String { "bcrypt($2\(variant)$, cost \(cost))" }

    private static func digit(_ character: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(character) ? Int(character - UInt8(ascii: "0")) : nil
    }

    private static func isBcryptBase64(_ character: UInt8) -> Bool {
        switch character {
        case UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: false
        }
    }
}
