import GatehouseCore
import Testing

/// One hash made by an implementation other than Gatehouse's, with the password it hides.
struct ImportedHashVector: Sendable, CustomTestStringConvertible {
    let label: String
    let algorithm: String
    let hash: String
    let password: String

    var testDescription: String { label }

    /// The password with its last character changed, so it differs by exactly one character.
    var wrongPassword: String {
        var wrong = password
        let last = wrong.removeLast()
        wrong.append(last == "e" ? "f" : "e")
        return wrong
    }
}

/// Vectors from independent implementations. Every one is printed, byte for byte, by
/// `scripts/imported-hash-vectors.py` (bcrypt 5.0.0, passlib 1.7.4, CPython's hashlib), with
/// fixed salts, so anyone can regenerate and compare them. Costs are small to keep the suite
/// fast, except the Keycloak vector, which has Keycloak's real default of 27,500 iterations.
enum ImportedHashVectors {
    static let password = "correct horse battery staple"
    static let unicodePassword = "pässwörd-ß-日本"

    /// `bcrypt.hashpw(password, b"$2b$04$abcdefghijklmnopqrstuu")` (PyPI bcrypt).
    static let bcrypt2b = ImportedHashVector(
        label: "bcrypt $2b$ (PyPI bcrypt)", algorithm: "bcrypt",
        hash: "$2b$04$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG", password: password)
    /// `bcrypt.hashpw(password, b"$2a$05$ABCDEFGHIJKLMNOPQRSTUu")` (PyPI bcrypt).
    static let bcrypt2a = ImportedHashVector(
        label: "bcrypt $2a$ (PyPI bcrypt)", algorithm: "bcrypt",
        hash: "$2a$05$ABCDEFGHIJKLMNOPQRSTUuKGxkAaoBVtx5pBUbkcmXJ9X86rN9gCi", password: password)
    /// passlib's pure-Python bcrypt (`PASSLIB_BUILTIN_BCRYPT=enabled`, backend "builtin"):
    /// `bcrypt.using(ident="2y", rounds=4, salt="0123456789ABCDEFGHIJKu").hash(password)`,
    /// cross-checked with PyPI bcrypt's `checkpw`.
    static let bcrypt2y = ImportedHashVector(
        label: "bcrypt $2y$ (passlib builtin)", algorithm: "bcrypt",
        hash: "$2y$04$0123456789ABCDEFGHIJKu94v3bsa4Pk.eLfV2aax6CApIfyZguY6", password: password)
    /// passlib: `scrypt.using(rounds=10, block_size=8, parallelism=1,
    /// salt=bytes.fromhex("fbefbe00112233445566778899aabbcc")).hash(password)`, equal to the
    /// same parameters through `hashlib.scrypt(…, dklen=32)`.
    static let scryptPasslib = ImportedHashVector(
        label: "scrypt (passlib)", algorithm: "scrypt",
        hash: "$scrypt$ln=10,r=8,p=1$++++ABEiM0RVZneImaq7zA$WvK8dvA0ALTJ30YP3eYYu8mYHPVBUKP83km6L3KsAtU",
        password: password)
    /// `hashlib.scrypt(unicodePassword.encode(), salt=bytes.fromhex("fbff3e8c5a7d0f19e2c4b6a8d0f2e4c6"),
    /// n=1024, r=4, p=2, dklen=32)`, formatted as a PHC string with unpadded base64.
    static let scryptUnicode = ImportedHashVector(
        label: "scrypt r=4 p=2, non-ASCII password (hashlib)", algorithm: "scrypt",
        hash: "$scrypt$ln=10,r=4,p=2$+/8+jFp9DxnixLao0PLkxg$wIsLfCfWYwTS/MVurwMoutOhh8dZYd1EkXk6tKudizg",
        password: unicodePassword)
    /// passlib: `pbkdf2_sha256.using(rounds=1000, salt=bytes.fromhex("fbefbe00112233445566778899aabbcc")).hash(password)`.
    static let pbkdf2SHA256Passlib = ImportedHashVector(
        label: "pbkdf2-sha256, passlib spelling", algorithm: "pbkdf2-sha256",
        hash: "$pbkdf2-sha256$1000$....ABEiM0RVZneImaq7zA$Mf5O9yKFCASmr4QHJP2DbHrpEM1B1bs1Lx9IinW2OE8",
        password: password)
    /// passlib: `pbkdf2_sha512.using(rounds=1000, salt=bytes.fromhex("fbefbe00112233445566778899aabbcc")).hash(password)`.
    static let pbkdf2SHA512Passlib = ImportedHashVector(
        label: "pbkdf2-sha512, passlib spelling", algorithm: "pbkdf2-sha512",
        hash: "$pbkdf2-sha512$1000$....ABEiM0RVZneImaq7zA$YIjhrEqgq1AZsXyvxOoDk.2uwryTt4w4MPoQjtpRSkPmLsrlELYoS4pJv3gNFfBv3nrUbs4Ut57jt3bthJkXKA",
        password: password)
    /// `hashlib.pbkdf2_hmac("sha256", password, bytes.fromhex("fbff3e8c5a7d0f19e2c4b6a8d0f2e4c6"), 1000, 32)`
    /// as a PHC string with unpadded base64.
    static let pbkdf2SHA256PHC = ImportedHashVector(
        label: "pbkdf2-sha256, PHC spelling (hashlib)", algorithm: "pbkdf2-sha256",
        hash: "$pbkdf2-sha256$i=1000,l=32$+/8+jFp9DxnixLao0PLkxg$va+YnnKMIRMl1aDpBl90kxiAM1kF9iFuKZ0Ru/63jz4",
        password: password)
    /// `hashlib.pbkdf2_hmac("sha512", unicodePassword.encode(), bytes.fromhex("fbff3e8c5a7d0f19e2c4b6a8d0f2e4c6"), 1000, 64)`
    /// as a PHC string with unpadded base64.
    static let pbkdf2SHA512PHC = ImportedHashVector(
        label: "pbkdf2-sha512, PHC spelling, non-ASCII password (hashlib)", algorithm: "pbkdf2-sha512",
        hash: "$pbkdf2-sha512$i=1000,l=64$+/8+jFp9DxnixLao0PLkxg$x02aKWkvAQDiyv30Fx0wsqpRCMzpU+smA1KDxxav36khx0hloNSyWIzgm4kK/5rsnlvucepGPjooEnPkoJ/ERA",
        password: unicodePassword)
    /// A Keycloak-style credential, `hashlib.pbkdf2_hmac("sha256", password,
    /// bytes.fromhex("fbefbe00112233445566778899aabbcc"), 27500, 32)`, exported as
    /// `{"algorithm": "pbkdf2-sha256", "hashIterations": 27500, "salt": "++++ABEiM0RVZneImaq7zA==",
    /// "value": "lN8V0KMVD97vUgxv2pKwOA6OJyr56HBEX6riy61zbHc="}` and converted as
    /// docs/PASSWORD-IMPORT.md describes (padding stripped, l = decoded value length).
    static let keycloak = ImportedHashVector(
        label: "pbkdf2-sha256, Keycloak export, 27,500 iterations", algorithm: "pbkdf2-sha256",
        hash: "$pbkdf2-sha256$i=27500,l=32$++++ABEiM0RVZneImaq7zA$lN8V0KMVD97vUgxv2pKwOA6OJyr56HBEX6riy61zbHc",
        password: password)

    static let all = [bcrypt2b, bcrypt2a, bcrypt2y, scryptPasslib, scryptUnicode, pbkdf2SHA256Passlib,
                      pbkdf2SHA512Passlib, pbkdf2SHA256PHC, pbkdf2SHA512PHC, keycloak]

    /// The first 72 bytes of a long password: `("0123456789" * 8)[:72]`.
    static let seventyTwoBytes = String(String(repeating: "0123456789", count: 8).prefix(72))
    /// `bcrypt.hashpw(seventyTwoBytes, b"$2b$04$zyxwvutsrqponmlkjihgfe")` (PyPI bcrypt 5 refuses
    /// longer passwords, so the hash is of the 72-byte prefix).
    static let bcrypt2bOf72Bytes = "$2b$04$zyxwvutsrqponmlkjihgfe6uOhxq1/3Fxsg1vxay1gK003AXkaNBG"
    /// `bcrypt.hashpw(seventyTwoBytes, b"$2a$04$zyxwvutsrqponmlkjihgfe")` (PyPI bcrypt).
    static let bcrypt2aOf72Bytes = "$2a$04$zyxwvutsrqponmlkjihgfe6uOhxq1/3Fxsg1vxay1gK003AXkaNBG"
}

@Suite struct ImportedPasswordHashTests {
    private func parse(_ text: String) -> ImportedPasswordHash? {
        ImportedPasswordHash(PasswordHash(phcString: text))
    }

    /// The hash with one character in the middle of its last segment (the hash bytes; for
    /// bcrypt, past the 22 salt characters) replaced by another of the same alphabet.
    private func tampered(_ text: String) -> String {
        var characters = Array(text)
        let lastSegment = characters.lastIndex(of: "$")! + 1
        let middle = lastSegment + (characters.count - lastSegment) / 2
        characters[middle] = characters[middle] == "A" ? "B" : "A"
        return String(characters)
    }

    /// Canonical unpadded base64 for `count` zero bytes, to build salts and hashes of a given length.
    private func zeroBytes(_ count: Int) -> String {
        String(repeating: "A", count: (count * 8 + 5) / 6)
    }

    // MARK: Independent vectors

    @Test(arguments: ImportedHashVectors.all)
    func verify_withTheRightPassword_succeeds(_ vector: ImportedHashVector) throws {
        let hash = try #require(parse(vector.hash))
        #expect(hash.verify(vector.password))
    }

    @Test(arguments: ImportedHashVectors.all)
    func verify_withAPasswordOneCharacterOff_fails(_ vector: ImportedHashVector) throws {
        let hash = try #require(parse(vector.hash))
        #expect(!hash.verify(vector.wrongPassword))
    }

    @Test(arguments: ImportedHashVectors.all)
    func verify_againstATamperedHash_fails(_ vector: ImportedHashVector) throws {
        let altered = tampered(vector.hash)
        #expect(altered != vector.hash)
        let hash = try #require(parse(altered))
        #expect(!hash.verify(vector.password))
    }

    @Test(arguments: ImportedHashVectors.all)
    func algorithm_namesTheFormat_andDescriptionLeavesOutSaltAndHash(_ vector: ImportedHashVector) throws {
        let hash = try #require(parse(vector.hash))
        #expect(hash.algorithm == vector.algorithm)
        let lastSegment = try #require(vector.hash.split(separator: "$").last)
        #expect(!hash.description.contains(lastSegment.prefix(16)))
    }

    @Test(arguments: ImportedHashVectors.all)
    func verify_withAnEmptyPassword_failsWithoutCrashing(_ vector: ImportedHashVector) throws {
        let hash = try #require(parse(vector.hash))
        #expect(!hash.verify(""))
    }

    // MARK: Format details

    @Test func parsedParameters_areThoseWrittenInTheHash() throws {
        guard case .bcrypt(let bcrypt) = try #require(parse(ImportedHashVectors.bcrypt2y.hash)) else {
            Issue.record("not read as bcrypt"); return
        }
        #expect(bcrypt.variant == "y" && bcrypt.cost == 4)
        guard case .scrypt(let scrypt) = try #require(parse(ImportedHashVectors.scryptUnicode.hash)) else {
            Issue.record("not read as scrypt"); return
        }
        #expect(scrypt.logN == 10 && scrypt.blockSize == 4 && scrypt.parallelism == 2)
        guard case .pbkdf2(let passlib) = try #require(parse(ImportedHashVectors.pbkdf2SHA512Passlib.hash)),
              case .pbkdf2(let phc) = try #require(parse(ImportedHashVectors.keycloak.hash)) else {
            Issue.record("not read as PBKDF2"); return
        }
        #expect(passlib.spelling == .passlib && passlib.digest == .sha512 && passlib.iterations == 1000)
        #expect(phc.spelling == .phc && phc.digest == .sha256 && phc.iterations == 27500)
    }

    @Test func bcrypt_ignoresEverythingAfterThe72ndByte_likeEveryBcrypt() throws {
        let hash = try #require(parse(ImportedHashVectors.bcrypt2bOf72Bytes))
        let prefix = ImportedHashVectors.seventyTwoBytes
        #expect(hash.verify(prefix))
        #expect(hash.verify(prefix + " and whatever follows"))
        #expect(!hash.verify("X" + String(prefix.dropFirst())))
        #expect(!hash.verify(String(prefix.dropLast())))
    }

    /// OpenBSD's old `$2a$` code kept the password length in a byte, so a 300-byte password
    /// keyed bcrypt with 45 bytes; Go, Java and fixed C implementations read 72.
    @Test func bcrypt2a_withAPasswordOver255Bytes_readsItsFirst72BytesLike2b() throws {
        let hash = try #require(parse(ImportedHashVectors.bcrypt2aOf72Bytes))
        let long = ImportedHashVectors.seventyTwoBytes + String(repeating: "x", count: 228)
        #expect(long.utf8.count == 300)
        #expect(hash.verify(long))
    }

    @Test func bcrypt_withANULByteInThePassword_neverVerifies() throws {
        let hash = try #require(parse(ImportedHashVectors.bcrypt2b.hash))
        #expect(!hash.verify(ImportedHashVectors.password + "\u{0}anything"))
    }

    @Test func pbkdf2_withAChangedIterationCount_doesNotVerify() throws {
        let changed = ImportedHashVectors.pbkdf2SHA256Passlib.hash.replacing("$1000$", with: "$1001$", maxReplacements: 1)
        let hash = try #require(parse(changed))
        #expect(!hash.verify(ImportedHashVectors.password))
    }

    @Test func argon2id_isNotAnImportedFormat() {
        // Gatehouse's own format, from Python's argon2-cffi (see Argon2idHasherTests).
        #expect(parse("$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CKGe5/bX9YnCq2rxjW5yQXKxn31v1GKzhDCrMc6r6vA") == nil)
    }

    // MARK: Refusals

    static let malformed: [String] = [
        "", "$", "correct horse battery staple", "$2b$", "$scrypt$", "$pbkdf2-sha256$",
        // bcrypt: length, prefix, cost digits, alphabet.
        "$2b$04$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6C",
        "$2b$04$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CGG",
        "$2x$04$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG",
        "$2B$04$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG",
        "$2b$4a$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG",
        "$2b$04$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7+Lah/6CG",
        "$2b$04$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG\n",
        // scrypt: missing or reordered parameters, padding, wrong alphabet, stray bits, segments.
        "$scrypt$ln=10,r=8$++++ABEiM0RVZneImaq7zA$WvK8dvA0ALTJ30YP3eYYu8mYHPVBUKP83km6L3KsAtU",
        "$scrypt$r=8,ln=10,p=1$++++ABEiM0RVZneImaq7zA$WvK8dvA0ALTJ30YP3eYYu8mYHPVBUKP83km6L3KsAtU",
        "$scrypt$ln=010,r=8,p=1$++++ABEiM0RVZneImaq7zA$WvK8dvA0ALTJ30YP3eYYu8mYHPVBUKP83km6L3KsAtU",
        "$scrypt$ln=10,r=8,p=1,p=1$++++ABEiM0RVZneImaq7zA$WvK8dvA0ALTJ30YP3eYYu8mYHPVBUKP83km6L3KsAtU",
        "$scrypt$ln=10, r=8,p=1$++++ABEiM0RVZneImaq7zA$WvK8dvA0ALTJ30YP3eYYu8mYHPVBUKP83km6L3KsAtU",
        "$scrypt$ln=10,r=8,p=1$++++ABEiM0RVZneImaq7zA==$WvK8dvA0ALTJ30YP3eYYu8mYHPVBUKP83km6L3KsAtU",
        "$scrypt$ln=10,r=8,p=1$....ABEiM0RVZneImaq7zA$WvK8dvA0ALTJ30YP3eYYu8mYHPVBUKP83km6L3KsAtU",
        "$scrypt$ln=10,r=8,p=1$++++ABEiM0RVZneImaq7zA$WvK8dvA0ALTJ30YP3eYYu8mYHPVBUKP83km6L3KsAtV",
        "$scrypt$ln=10,r=8,p=1$$WvK8dvA0ALTJ30YP3eYYu8mYHPVBUKP83km6L3KsAtU",
        "$scrypt$ln=10,r=8,p=1$++++ABEiM0RVZneImaq7zA",
        "$scrypt$ln=10,r=8,p=1$++++ABEiM0RVZneImaq7zA$WvK8dvA0ALTJ30YP3eYYu8mYHPVBUKP83km6L3KsAtU$",
        "$SCRYPT$ln=10,r=8,p=1$++++ABEiM0RVZneImaq7zA$WvK8dvA0ALTJ30YP3eYYu8mYHPVBUKP83km6L3KsAtU",
        // PBKDF2, passlib spelling: standard alphabet, short checksum, odd round counts.
        "$pbkdf2-sha256$1000$++++ABEiM0RVZneImaq7zA$Mf5O9yKFCASmr4QHJP2DbHrpEM1B1bs1Lx9IinW2OE8",
        "$pbkdf2-sha256$1000$....ABEiM0RVZneImaq7zA$Mf5O9yKFCASmr4QHJP2DbHrpEM1B1bs1Lx9IinW2",
        "$pbkdf2-sha256$01000$....ABEiM0RVZneImaq7zA$Mf5O9yKFCASmr4QHJP2DbHrpEM1B1bs1Lx9IinW2OE8",
        "$pbkdf2-sha256$-1000$....ABEiM0RVZneImaq7zA$Mf5O9yKFCASmr4QHJP2DbHrpEM1B1bs1Lx9IinW2OE8",
        "$pbkdf2-sha256$1e3$....ABEiM0RVZneImaq7zA$Mf5O9yKFCASmr4QHJP2DbHrpEM1B1bs1Lx9IinW2OE8",
        "$pbkdf2-sha256$$....ABEiM0RVZneImaq7zA$Mf5O9yKFCASmr4QHJP2DbHrpEM1B1bs1Lx9IinW2OE8",
        // PBKDF2, PHC spelling: length disagreeing with the hash, missing l, passlib alphabet.
        "$pbkdf2-sha256$i=1000,l=31$+/8+jFp9DxnixLao0PLkxg$va+YnnKMIRMl1aDpBl90kxiAM1kF9iFuKZ0Ru/63jz4",
        "$pbkdf2-sha256$i=1000$+/8+jFp9DxnixLao0PLkxg$va+YnnKMIRMl1aDpBl90kxiAM1kF9iFuKZ0Ru/63jz4",
        "$pbkdf2-sha256$i=1000,l=32$./8.jFp9DxnixLao0PLkxg$va.YnnKMIRMl1aDpBl90kxiAM1kF9iFuKZ0Ru/63jz4",
        // Unsupported digests.
        "$pbkdf2-sha1$1000$....ABEiM0RVZneImaq7zA$Mf5O9yKFCASmr4QHJP2DbHrpEM1B1bs1Lx9IinW2OE8",
        "$pbkdf2$1000$....ABEiM0RVZneImaq7zA$Mf5O9yKFCASmr4QHJP2DbHrpEM1B1bs1Lx9IinW2OE8",
        "$pbkdf2-sha384$i=1000,l=32$+/8+jFp9DxnixLao0PLkxg$va+YnnKMIRMl1aDpBl90kxiAM1kF9iFuKZ0Ru/63jz4",
    ]

    @Test(arguments: malformed)
    func init_withAMalformedString_returnsNil(_ text: String) {
        #expect(parse(text) == nil)
    }

    static let bcryptTail = "abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG"
    static let scryptTail = "++++ABEiM0RVZneImaq7zA$WvK8dvA0ALTJ30YP3eYYu8mYHPVBUKP83km6L3KsAtU"
    static let pbkdf2Tail = "+/8+jFp9DxnixLao0PLkxg$va+YnnKMIRMl1aDpBl90kxiAM1kF9iFuKZ0Ru/63jz4"
    static let passlibTail = "....ABEiM0RVZneImaq7zA$Mf5O9yKFCASmr4QHJP2DbHrpEM1B1bs1Lx9IinW2OE8"

    /// Well-formed hashes whose parameters would make one verification a denial of service.
    static let beyondLimits: [String] = [
        "$2b$17$" + bcryptTail, "$2b$31$" + bcryptTail, "$2b$99$" + bcryptTail, "$2b$03$" + bcryptTail,
        "$scrypt$ln=21,r=2,p=1$" + scryptTail,   // N above 2^20
        "$scrypt$ln=0,r=8,p=1$" + scryptTail,    // N = 1
        "$scrypt$ln=16,r=1,p=1$" + scryptTail,   // scrypt needs N < 2^(16r)
        "$scrypt$ln=10,r=17,p=1$" + scryptTail,  // r above 16
        "$scrypt$ln=10,r=1,p=65$" + scryptTail,  // r·p above 64
        "$scrypt$ln=19,r=8,p=1$" + scryptTail,   // 512 MiB
        "$scrypt$ln=18,r=8,p=4$" + scryptTail,   // N·r·p = 2^23
        "$scrypt$ln=10,r=0,p=1$" + scryptTail, "$scrypt$ln=10,r=8,p=0$" + scryptTail,
        "$pbkdf2-sha256$i=10000001,l=32$" + pbkdf2Tail,
        "$pbkdf2-sha256$i=0,l=32$" + pbkdf2Tail,
        "$pbkdf2-sha256$10000001$" + passlibTail,
        "$pbkdf2-sha256$0$" + passlibTail,
    ]

    @Test(arguments: beyondLimits)
    func init_withParametersBeyondTheLimits_returnsNil(_ text: String) {
        #expect(parse(text) == nil)
    }

    @Test func init_withSaltOrKeyLengthsOutOfRange_returnsNil() {
        let hash32 = zeroBytes(32), salt16 = zeroBytes(16)
        for (salt, hash) in [(zeroBytes(7), hash32), (zeroBytes(65), hash32), (salt16, zeroBytes(15)), (salt16, zeroBytes(65))] {
            #expect(parse("$scrypt$ln=10,r=8,p=1$\(salt)$\(hash)") == nil)
        }
        for (salt, length) in [(zeroBytes(7), 32), (zeroBytes(65), 32), (salt16, 15), (salt16, 65)] {
            #expect(parse("$pbkdf2-sha256$i=1000,l=\(length)$\(salt)$\(zeroBytes(length))") == nil)
        }
        // Work counts output blocks: a 64-byte SHA-256 key costs every iteration twice.
        #expect(parse("$pbkdf2-sha256$i=5000001,l=64$\(salt16)$\(zeroBytes(64))") == nil)
    }

    /// The limits themselves are accepted, so none is off by one. Only parsed, never
    /// verified: verifying at these costs is what the limits are for.
    @Test func init_withParametersAtTheLimits_parses() {
        let salt16 = zeroBytes(16)
        let atLimits = [
            "$2b$16$" + Self.bcryptTail,
            "$scrypt$ln=20,r=2,p=1$" + Self.scryptTail,   // N = 2^20, 256 MiB
            "$scrypt$ln=18,r=8,p=2$" + Self.scryptTail,   // 256 MiB, N·r·p = 2^22
            "$scrypt$ln=10,r=16,p=4$" + Self.scryptTail,  // r = 16, r·p = 64
            "$scrypt$ln=10,r=1,p=64$" + Self.scryptTail,
            "$scrypt$ln=1,r=1,p=1$" + Self.scryptTail,
            "$scrypt$ln=10,r=8,p=1$\(zeroBytes(8))$\(zeroBytes(16))",
            "$scrypt$ln=10,r=8,p=1$\(zeroBytes(64))$\(zeroBytes(64))",
            "$pbkdf2-sha256$i=10000000,l=32$" + Self.pbkdf2Tail,
            "$pbkdf2-sha256$10000000$" + Self.passlibTail,
            "$pbkdf2-sha256$i=1,l=32$" + Self.pbkdf2Tail,
            "$pbkdf2-sha256$i=5000000,l=64$\(salt16)$\(zeroBytes(64))",
            "$pbkdf2-sha512$i=10000000,l=64$\(salt16)$\(zeroBytes(64))",
            "$pbkdf2-sha256$i=1000,l=16$\(zeroBytes(8))$\(zeroBytes(16))",
            "$pbkdf2-sha256$i=1000,l=32$\(zeroBytes(64))$\(zeroBytes(32))",
        ]
        for text in atLimits {
            #expect(parse(text) != nil, "\(text)")
        }
    }
}
