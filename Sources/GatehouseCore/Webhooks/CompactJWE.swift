internal import Crypto
internal import CryptoExtras
public import Foundation

/// JSON Web Encryption in compact form (RFC 7516) with RSA-OAEP-256 key wrapping and
/// A256GCM content encryption: a fresh content key per message, wrapped for the receiver's
/// RSA public key.
public enum CompactJWE {
    /// `header.encryptedKey.iv.ciphertext.tag`, each part base64url.
    /// - Parameter keyID: put in the header as `kid` so the receiver can pick its key.
    public static func encrypt(_ plaintext: [UInt8], forPublicKeyPEM pem: String, keyID: String?, random: any RandomSource) throws -> String {
        let publicKey = try _RSA.Encryption.PublicKey(pemRepresentation: pem)
        var header: [String: String] = ["alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "text/plain"]
        if let keyID { header["kid"] = keyID }
        let encodedHeader = Base64URL.encode(Array(try JSONEncoder.gatehouseSorted.encode(header)))
        let contentKey = random.bytes(32)
        let wrappedKey = try publicKey.encrypt(contentKey, padding: .PKCS1_OAEP_SHA256)
        let iv = random.bytes(12)
        // The additional authenticated data is the ASCII of the encoded header (RFC 7516 §5.1 step 14).
        let sealed = try AES.GCM.seal(plaintext, using: SymmetricKey(data: contentKey), nonce: AES.GCM.Nonce(data: iv),
                                      authenticating: Array(encodedHeader.utf8))
        return [encodedHeader, Base64URL.encode(Array(wrappedKey)), Base64URL.encode(iv),
                Base64URL.encode(Array(sealed.ciphertext)), Base64URL.encode(Array(sealed.tag))].joined(separator: ".")
    }
}
