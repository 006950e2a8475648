internal import Crypto
import Foundation

/// A bearer secret handed to a person or a script exactly once (API tokens, setup links,
/// later invitation and reset links). Only its SHA-256 digest is ever stored: the secret
/// carries 256 bits of entropy, so a fast digest is enough and a database leak reveals nothing
/// usable.
public struct SecretToken: Sendable, Hashable {
    /// The text given to the holder, e.g. `gh_at_3q2…`.
    public let plaintext: String

    /// Makes a new secret: `prefix` followed by 32 random bytes in base64url.
    public init(prefix: String, random: any RandomSource) {
        self.plaintext = prefix + Base64URL.encode(random.bytes(32))
    }

    /// Wraps a secret presented by a client.
    public init(presented: String) {
        self.plaintext = presented
    }

    /// The digest that storage keeps and looks tokens up by (lower-case hex SHA-256).
    public var digest: String {
        Self.digest(of: plaintext)
    }

    /// The lower-case hex SHA-256 of `text`.
    public static func digest(of text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// base64url without padding (RFC 4648 §5), the alphabet safe in URLs and headers.
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { [UInt8]($0) }
    }
}

/// Comparison whose duration does not depend on where two secrets first differ.
public enum ConstantTime {
    public static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(lhs, rhs) { difference |= a ^ b }
        return difference == 0
    }

    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        equals(Array(lhs.utf8), Array(rhs.utf8))
    }
}
