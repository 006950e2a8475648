internal import Crypto
public import Foundation

/// The server's master key: 256 bits from `GATEHOUSE_MASTER_KEY` or the key file in the data
/// directory. Never used directly: each purpose gets its own key derived with HKDF, so a key
/// leaked through one use says nothing about the others.
public struct MasterKey: Sendable {
    fileprivate let key: SymmetricKey

    /// - Throws: ``InvalidValue`` unless `bytes` is exactly 32 bytes.
    public init(bytes: [UInt8]) throws(InvalidValue) {
        guard bytes.count == 32 else { throw InvalidValue("must be 32 bytes (256 bits)") }
        key = SymmetricKey(data: bytes)
    }

    /// Reads the text form: 64 hex digits, or base64/base64url of 32 bytes.
    public init(text: String) throws(InvalidValue) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 64, let bytes = Self.hexBytes(trimmed) {
            try self.init(bytes: bytes)
        } else if let bytes = Base64URL.decode(trimmed.replacingOccurrences(of: "=", with: "")) {
            try self.init(bytes: bytes)
        } else {
            throw InvalidValue("must be 64 hex digits or the base64 of 32 bytes")
        }
    }

    /// A fresh random key and its text form (base64url), for the key file.
    public static func generate(random: any RandomSource) -> (key: MasterKey, text: String) {
        let bytes = random.bytes(32)
        return (try! MasterKey(bytes: bytes), Base64URL.encode(bytes))
    }

    /// The box that seals data for one purpose (`"outbox"`, `"webhook-secret"`, `"totp"`).
    public func box(for purpose: String) -> SecretBox {
        SecretBox(key: HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("gatehouse/\(purpose)".utf8), outputByteCount: 32))
    }

    /// A keyed digest for one purpose, e.g. stable fake values that must not be predictable.
    public func mac(for purpose: String, _ message: String) -> [UInt8] {
        let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("gatehouse/mac/\(purpose)".utf8), outputByteCount: 32)
        return Array(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: derived))
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

/// Authenticated encryption (AES-256-GCM) of small secrets at rest. The associated data names
/// where a sealed value belongs (tenant, table, row), so a value copied to another row or
/// tenant no longer opens.
public struct SecretBox: Sendable {
    fileprivate let key: SymmetricKey

    /// `nonce ‖ ciphertext ‖ tag` in base64url.
    public func seal(_ plaintext: [UInt8], boundTo context: String) -> String {
        let sealed = try! AES.GCM.seal(plaintext, using: key, authenticating: Data(context.utf8))
        return Base64URL.encode(Array(sealed.combined!))
    }

    public func seal(_ text: String, boundTo context: String) -> String {
        seal(Array(text.utf8), boundTo: context)
    }

    /// - Throws: ``SecretBoxError`` when the value was tampered with, belongs elsewhere or
    ///   was sealed under another key.
    public func open(_ sealed: String, boundTo context: String) throws(SecretBoxError) -> [UInt8] {
        guard let bytes = Base64URL.decode(sealed), let box = try? AES.GCM.SealedBox(combined: bytes),
              let plaintext = try? AES.GCM.open(box, using: key, authenticating: Data(context.utf8)) else {
            throw SecretBoxError()
        }
        return Array(plaintext)
    }

    public func openText(_ sealed: String, boundTo context: String) throws(SecretBoxError) -> String {
        String(decoding: try open(sealed, boundTo: context), as: UTF8.self)
    }
}

/// A sealed value did not open: wrong key (another master key?), wrong place, or tampered.
public struct SecretBoxError: Error, Sendable, CustomStringConvertible {
    public var description: String { "a sealed value could not be opened (wrong master key, or the value was altered)" }
}
