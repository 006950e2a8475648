internal import Crypto
public import Foundation

/// The `Gatehouse-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.
/// The time is inside the signed text, so a receiver can refuse old deliveries replayed at it.
public enum WebhookSignature {
    public static let headerName = "Gatehouse-Signature"

    public static func header(secret: [UInt8], timestamp: Int, body: [UInt8]) -> String {
        "t=\(timestamp),v1=" + hex(secret: secret, timestamp: timestamp, body: body)
    }

    static func hex(secret: [UInt8], timestamp: Int, body: [UInt8]) -> String {
        let signed = Array("\(timestamp).".utf8) + body
        return HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: secret)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `header` signs `body` with `secret` within `tolerance` seconds of `now`
    /// (what a receiver does; Gatehouse uses it in tests and documents it).
    public static func isValid(_ header: String, secret: [UInt8], body: [UInt8], now: Date, toleranceSeconds: Int = 300) -> Bool {
        var timestamp: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) } else if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(Int(now.timeIntervalSince1970) - timestamp) <= toleranceSeconds else { return false }
        let expected = hex(secret: secret, timestamp: timestamp, body: body)
        return signatures.contains { ConstantTime.equals($0, expected) }
    }
}
