import Foundation
import GatehouseCore
import Testing

/// RFC 6238 and its building blocks.
@Suite struct TOTPTests {
    /// RFC 6238 Appendix B, the SHA-1 column: the 20-byte ASCII key "12345678901234567890", 8 digits.
    @Test(arguments: [(59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"), (1_234_567_890, "89005924"),
                      (2_000_000_000, "69279037"), (20_000_000_000, "65353130")])
    func rfc6238AppendixB_sha1(_ time: Int, _ expected: String) {
        let parameters = TOTPParameters(algorithm: .sha1, digits: 8, period: 30)
        let step = TOTP.step(at: Date(timeIntervalSince1970: TimeInterval(time)), period: 30)
        #expect(TOTP.code(secret: Array("12345678901234567890".utf8), step: step, parameters: parameters) == expected)
    }

    /// The SHA-256 and SHA-512 columns (their keys are 32 and 64 bytes long).
    @Test func rfc6238AppendixB_sha256AndSha512() {
        let step = TOTP.step(at: Date(timeIntervalSince1970: 59), period: 30)
        let key256 = Array("12345678901234567890123456789012".utf8)
        let key512 = Array("1234567890123456789012345678901234567890123456789012345678901234".utf8)
        #expect(TOTP.code(secret: key256, step: step, parameters: .init(algorithm: .sha256, digits: 8, period: 30)) == "46119246")
        #expect(TOTP.code(secret: key512, step: step, parameters: .init(algorithm: .sha512, digits: 8, period: 30)) == "90693936")
    }

    @Test func aWindowOfOneStep_andNoCodeTwice() {
        let secret = Array("12345678901234567890".utf8), now = Date(timeIntervalSince1970: 1_800_000_015)
        let step = TOTP.step(at: now, period: 30)
        func code(_ offset: Int64) -> String { TOTP.code(secret: secret, step: step + offset, parameters: .standard) }
        #expect(TOTP.matchingStep(code(0), secret: secret, parameters: .standard, at: now, lastUsedStep: nil) == step)
        #expect(TOTP.matchingStep(code(-1), secret: secret, parameters: .standard, at: now, lastUsedStep: nil) == step - 1)
        #expect(TOTP.matchingStep(code(1), secret: secret, parameters: .standard, at: now, lastUsedStep: nil) == step + 1)
        #expect(TOTP.matchingStep(code(-2), secret: secret, parameters: .standard, at: now, lastUsedStep: nil) == nil)
        #expect(TOTP.matchingStep(code(0), secret: secret, parameters: .standard, at: now, lastUsedStep: step) == nil, "used once")
        #expect(TOTP.matchingStep(code(-1), secret: secret, parameters: .standard, at: now, lastUsedStep: step) == nil, "older than the last")
        #expect(TOTP.matchingStep("12 34 5", secret: secret, parameters: .standard, at: now, lastUsedStep: nil) == nil)
        #expect(TOTP.matchingStep(String(code(0).prefix(3)) + " " + String(code(0).suffix(3)), secret: secret, parameters: .standard,
                                  at: now, lastUsedStep: nil) == step, "spaces as apps show them are fine")
    }

    @Test func base32_roundTrips_andReadsWhatPeopleType() {
        // RFC 4648 §10 test vectors.
        for (plain, encoded) in [("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"),
                                 ("foobar", "MZXW6YTBOI")] {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base32.decode("mzxw 6ytb-oi==") == Array("foobar".utf8))
        #expect(Base32.decode("MZXW1") == nil)
    }

    @Test func otpauthURI_escapesLabelsAndIssuer() {
        let uri = TOTP.uri(secret: Array("12345678901234567890".utf8), issuer: "Acme Büro", account: "ana@acme.test", parameters: .standard)
        #expect(uri == "otpauth://totp/Acme%20B%C3%BCro:ana%40acme.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20B%C3%BCro&algorithm=SHA1&digits=6&period=30")
    }
}
