internal import Crypto
public import Foundation

/// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP). The parameters are stored
/// per device, so a device enrolled with other settings keeps working if the defaults change.
public struct TOTPParameters: Sendable, Equatable, Codable {
    public enum Algorithm: String, Sendable, Codable, CaseIterable {
        case sha1 = "SHA1", sha256 = "SHA256", sha512 = "SHA512"
    }

    public var algorithm: Algorithm
    public var digits: Int
    public var period: Int

    /// What every authenticator app understands: SHA-1, 6 digits, 30 seconds.
    public static let standard = TOTPParameters(algorithm: .sha1, digits: 6, period: 30)

    public init(algorithm: Algorithm, digits: Int, period: Int) {
        self.algorithm = algorithm
        self.digits = digits
        self.period = period
    }
}

public enum TOTP {
    /// The time step `date` falls in.
    public static func step(at date: Date, period: Int) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    /// The code for one time step (RFC 4226 §5.3 dynamic truncation).
    public static func code(secret: [UInt8], step: Int64, parameters: TOTPParameters) -> String {
        var counter = step.bigEndian
        let message = withUnsafeBytes(of: &counter) { Array($0) }
        let key = SymmetricKey(data: secret)
        let mac: [UInt8] = switch parameters.algorithm {
        case .sha1: Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
        case .sha256: Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        case .sha512: Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
        }
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<parameters.digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: parameters.digits - value.count) + value
    }

    /// The step whose code `code` is, within one step either side of `date`, and later than
    /// `lastUsedStep` (a code is never accepted twice); nil when none matches.
    public static func matchingStep(_ code: String, secret: [UInt8], parameters: TOTPParameters, at date: Date,
                                    lastUsedStep: Int64?) -> Int64? {
        let typed = code.filter { !$0.isWhitespace && $0 != "-" }
        guard typed.count == parameters.digits, typed.allSatisfy(\.isASCII), typed.allSatisfy(\.isNumber) else { return nil }
        let now = step(at: date, period: parameters.period)
        var found: Int64?
        // Every candidate is compared, in constant time, whatever matched first.
        for candidate in (now - 1)...(now + 1) {
            if ConstantTime.equals(TOTP.code(secret: secret, step: candidate, parameters: parameters), typed),
               candidate > (lastUsedStep ?? Int64.min) {
                found = candidate
            }
        }
        return found
    }

    /// The `otpauth://` URI an authenticator app scans.
    public static func uri(secret: [UInt8], issuer: String, account: String, parameters: TOTPParameters) -> String {
        let label = percentEncode(issuer) + ":" + percentEncode(account)
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(percentEncode(issuer))"
            + "&algorithm=\(parameters.algorithm.rawValue)&digits=\(parameters.digits)&period=\(parameters.period)"
    }

    /// RFC 3986 unreserved characters stay; everything else (spaces, `:`, `@`, UTF-8) is escaped.
    static func percentEncode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
