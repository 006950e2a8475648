import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

@Suite struct SecretTokenTests {
    @Test func secrets_carry256Bits_andDigestIsSHA256Hex() {
        let random = SeededRandom(seed: 7)
        let a = SecretToken(prefix: "gh_", random: random), b = SecretToken(prefix: "gh_", random: random)
        #expect(a.plaintext.hasPrefix("gh_"))
        #expect(Base64URL.decode(String(a.plaintext.dropFirst(3)))?.count == 32)
        #expect(a != b)
        // SHA-256("abc") from FIPS 180-2.
        #expect(SecretToken.digest(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(a.digest != a.plaintext)
    }

    @Test func constantTimeEquals_comparesContentAndLength() {
        #expect(ConstantTime.equals("abc", "abc"))
        #expect(!ConstantTime.equals("abc", "abd"))
        #expect(!ConstantTime.equals("abc", "abcd"))
    }

    @Test func base64URL_roundTrips_withoutPadding() {
        let bytes: [UInt8] = [0xfb, 0xff, 0xfe, 0x00, 0x10]
        let text = Base64URL.encode(bytes)
        #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
        #expect(Base64URL.decode(text) == bytes)
    }
}

@Suite struct Argon2idHasherTests {
    // Small parameters keep the test fast; the encoding and the check are what is tested.
    let hasher = Argon2idHasher(parameters: .init(memoryKiB: 1024, iterations: 1, parallelism: 1))

    @Test func hash_isPHCEncoded_salted_andVerifies() throws {
        let first = try hasher.hash("correct horse"), second = try hasher.hash("correct horse")
        #expect(first.phcString.hasPrefix("$argon2id$v=19$m=1024,t=1,p=1$"))
        #expect(first != second)
        #expect(hasher.verify("correct horse", against: first))
        #expect(!hasher.verify("correct horsE", against: first))
        #expect(!hasher.verify("correct horse", against: PasswordHash(phcString: "$2b$10$notargon")))
    }

    /// A hash made by an independent implementation (Python's argon2-cffi, `hash_secret(b"password",
    /// b"somesaltsomesalt", time_cost=2, memory_cost=1024, parallelism=1, hash_len=32, type=ID)`) must
    /// verify: Gatehouse reads the standard encoding, not only its own output.
    @Test func verifies_independentlyEncodedHash() {
        let reference = PasswordHash(phcString: "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CKGe5/bX9YnCq2rxjW5yQXKxn31v1GKzhDCrMc6r6vA")
        #expect(hasher.verify("password", against: reference))
        #expect(!hasher.verify("passwore", against: reference))
    }
}
