internal import Crypto
internal import CryptoExtras

/// An scrypt hash in the PHC form passlib writes:
/// `$scrypt$ln=<log2 N>,r=<block size>,p=<parallelism>$<salt>$<hash>`, salt and hash in
/// standard base64 without padding. The password enters scrypt as its UTF-8 bytes, without
/// Unicode normalisation, as passlib feeds it.
///
/// Limits, so that one planted hash cannot make a sign-in take a core for minutes or
/// exhaust memory (a hash outside them does not parse):
/// - `ln` from 1 to ``maximumLogN`` (N up to 2^20), and N < 2^(16·r) as scrypt requires;
/// - `r` from 1 to ``maximumBlockSize``, `p` at least 1, `r·p` at most
///   ``maximumBlockSizeTimesParallelism``;
/// - memory 128·N·r bytes at most ``maximumMemoryBytes`` (256 MiB);
/// - work N·r·p at most ``maximumWork`` (2^22: eight times passlib's default of
///   ln=16, r=8, p=1, roughly 1.5 s of one core);
/// - salt 8 to 64 bytes, hash 16 to 64 bytes.
public struct ImportedScryptHash: Sendable, CustomStringConvertible {
    /// The largest log2 of N accepted: 20.
    public static let maximumLogN = 20
    /// The largest block size `r` accepted: 16. CryptoExtras sizes BoringSSL's memory cap
    /// as 128·N·r·p plus one page, which falls short for `p = 1` and `r > 16`, so such
    /// hashes could never verify here; no common configuration uses them.
    public static let maximumBlockSize = 16
    /// The largest product `r·p` accepted: 64.
    public static let maximumBlockSizeTimesParallelism = 64
    /// The most memory one verification may take, 128·N·r bytes: 256 MiB.
    public static let maximumMemoryBytes = 256 << 20
    /// The most mixing work one verification may take, N·r·p: 2^22. Memory alone does not
    /// bound time, since `p` repeats the whole computation.
    public static let maximumWork = 1 << 22
    static let saltLengths = 8...64
    static let hashLengths = 16...64

    /// log2 of the CPU/memory cost N.
    public let logN: Int
    /// The block size `r`.
    public let blockSize: Int
    /// The parallelism `p` (computed sequentially here).
    public let parallelism: Int
    private let salt: [UInt8]
    private let hash: [UInt8]

    /// Reads `text`, or returns nil when it is not a well-formed scrypt hash within the limits.
    init?(_ text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt",
              let numbers = PHCParameterList.values(parts[2], keys: ["ln", "r", "p"]),
              let salt = UnpaddedBase64.decode(parts[3], alphabet: .standard),
              let hash = UnpaddedBase64.decode(parts[4], alphabet: .standard)
        else { return nil }
        let (logN, r, p) = (numbers[0], numbers[1], numbers[2])
        guard (1...Self.maximumLogN).contains(logN), (1...Self.maximumBlockSize).contains(r), p >= 1,
              logN < 16 * r,
              r * p <= Self.maximumBlockSizeTimesParallelism,
              (128 * r) << logN <= Self.maximumMemoryBytes,
              (r * p) << logN <= Self.maximumWork,
              Self.saltLengths.contains(salt.count), Self.hashLengths.contains(hash.count)
        else { return nil }
        self.logN = logN
        self.blockSize = r
        self.parallelism = p
        self.salt = salt
        self.hash = hash
    }

    /// Whether `password` matches, comparing the derived bytes in constant time. Slow on
    /// purpose: call it off the event loops.
    func verify(_ password: String) -> Bool {
        // No imported account has an empty password, and CryptoExtras force-unwraps the
        // password buffer's address, which Swift does not promise for an empty array.
        guard !password.isEmpty,
              let derived = try? KDF.Scrypt.deriveKey(
                  from: Array(password.utf8), salt: salt, outputByteCount: hash.count,
                  rounds: 1 << logN, blockSize: blockSize, parallelism: parallelism)
        else { return false }
        return derived.withUnsafeBytes { ConstantTime.equals($0, hash) }
    }

    /// Algorithm and parameters, never the salt or hash.
    public var description: String { "scrypt(ln=\(logN),r=\(blockSize),p=\(parallelism))" }
}
