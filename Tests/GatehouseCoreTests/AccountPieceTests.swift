import CryptoExtras
import Crypto
import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

/// Temporary passwords, masked addresses, sealing, JWE and retry timing.
@Suite struct AccountPieceTests {
    @Test func webexTemporaryPassword_isInitialsPhoneAndTwoBangs() throws {
        #expect(try TemporaryPassword.initialsAndPhone(firstName: "John", lastName: "Doe", phone: try PhoneNumber("5125551212")) == "Jd5125551212!!")
        #expect(try TemporaryPassword.initialsAndPhone(firstName: "élodie", lastName: "Ruiz", phone: try PhoneNumber("+1 (512) 555-1212"))
                == "Ér15125551212!!")
        #expect(throws: FieldErrors.self) { try TemporaryPassword.initialsAndPhone(firstName: "John", lastName: "Doe", phone: nil) }
    }

    @Test func randomTemporaryPasswords_meetThePolicy() {
        var policy = PasswordPolicy()
        policy.requiredClasses = 4
        policy.forbiddenCharacters = "#$*/@!?"
        for seed in 0..<200 {
            let password = TemporaryPassword.random(policy: policy, random: SeededRandom(seed: UInt64(seed)))
            #expect(password.count == 16)
            #expect(policy.violations(of: password, for: .init(firstName: "Ana", lastName: "Diaz", username: "ana@acme.test")).isEmpty, "\(password)")
        }
    }

    @Test func maskedEmails_andStableDecoys() {
        #expect(EmailMask.mask(try! EmailAddress("John.Doe@Acme.com")) == "j***@a***.com")
        let mac = MasterKey.testKey.mac(for: "recovery-decoy", "acme/999")
        #expect(EmailMask.decoy(forUsername: "acme/999", mac: mac) == EmailMask.decoy(forUsername: "acme/999", mac: mac))
        #expect(EmailMask.decoy(forUsername: "Nobody@Acme.test", mac: mac) == "n***@a***.test")
    }

    @Test func sealedValues_openOnlyInTheirPlace() throws {
        let box = MasterKey.testKey.box(for: "outbox")
        let sealed = box.seal("inv_secret", boundTo: "outbox:1")
        #expect(!sealed.contains("inv_secret"))
        #expect(try box.openText(sealed, boundTo: "outbox:1") == "inv_secret")
        #expect(throws: SecretBoxError.self) { try box.open(sealed, boundTo: "outbox:2") }
        #expect(throws: SecretBoxError.self) { try MasterKey.testKey.box(for: "totp").open(sealed, boundTo: "outbox:1") }
        #expect(throws: InvalidValue.self) { try MasterKey(text: "too short") }
        #expect(try MasterKey(text: String(repeating: "ab", count: 32)).box(for: "x").seal("a", boundTo: "b").count > 20)
    }

    @Test func jwe_decryptsWithTheReceiversPrivateKey() throws {
        let privateKey = try _RSA.Encryption.PrivateKey(keySize: .bits2048)
        let jwe = try CompactJWE.encrypt(Array("Blue-Kettle-42".utf8), forPublicKeyPEM: privateKey.publicKey.pemRepresentation, keyID: "k1",
                                         random: SystemRandomSource())
        let parts = jwe.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        #expect(parts.count == 5)
        let header = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(parts[0])!)) as? [String: String]
        #expect(header?["alg"] == "RSA-OAEP-256" && header?["enc"] == "A256GCM" && header?["kid"] == "k1")
        let key = try privateKey.decrypt(Base64URL.decode(parts[1])!, padding: .PKCS1_OAEP_SHA256)
        let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: Base64URL.decode(parts[2])!), ciphertext: Base64URL.decode(parts[3])!,
                                        tag: Base64URL.decode(parts[4])!)
        let plain = try AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: Array(parts[0].utf8))
        #expect(String(decoding: plain, as: UTF8.self) == "Blue-Kettle-42")
    }

    @Test func retries_backOffUpToTheCap_thenGiveUp() {
        let schedule = RetrySchedule(baseSeconds: 5, maxDelaySeconds: 60, maxAttempts: 5)
        let now = Date(timeIntervalSince1970: 0)
        let delays = (1...4).map { schedule.nextAttempt(after: $0, at: now, jitter: 0.5)!.timeIntervalSince(now) }
        #expect(delays == [5, 10, 20, 40])
        #expect(schedule.nextAttempt(after: 4, at: now, jitter: 1)!.timeIntervalSince(now) == 44)
        #expect(RetrySchedule(baseSeconds: 5, maxDelaySeconds: 60, maxAttempts: 10).nextAttempt(after: 9, at: now, jitter: 0.5)!.timeIntervalSince(now) == 60)
        #expect(schedule.nextAttempt(after: 5, at: now, jitter: 0.5) == nil)
    }

    @Test func webhookSignatures_refuseOtherBodiesAndOldTimes() {
        let secret = Array("s3cret-s3cret-s3cret".utf8), body = Array(#"{"a":1}"#.utf8)
        let header = WebhookSignature.header(secret: secret, timestamp: 1_800_000_000, body: body)
        #expect(header.hasPrefix("t=1800000000,v1="))
        let now = Date(timeIntervalSince1970: 1_800_000_010)
        #expect(WebhookSignature.isValid(header, secret: secret, body: body, now: now))
        #expect(!WebhookSignature.isValid(header, secret: secret, body: Array(#"{"a":2}"#.utf8), now: now))
        #expect(!WebhookSignature.isValid(header, secret: secret, body: body, now: now.addingTimeInterval(600)))
    }
}
