import Foundation
public import GatehouseCore
import SQLKit

/// Where the master key comes from: `GATEHOUSE_MASTER_KEY`, else the key file in the data
/// directory, created (mode 0600) on first start. Servers sharing a PostgreSQL database must
/// share the key: give each the same `GATEHOUSE_MASTER_KEY`.
public enum MasterKeyStore {
    public static let fileName = "master.key"

    /// The key and a description of where it came from (for the start-up log).
    public static func load(text: String?, dataDirectory: String, random: any RandomSource) throws -> (MasterKey, source: String) {
        if let text, !text.isEmpty {
            do { return (try MasterKey(text: text), "GATEHOUSE_MASTER_KEY") } catch {
                throw MasterKeyError("GATEHOUSE_MASTER_KEY \(error.message)")
            }
        }
        let path = (dataDirectory as NSString).appendingPathComponent(fileName)
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        if let existing = FileManager.default.contents(atPath: path) {
            do { return (try MasterKey(text: String(decoding: existing, as: UTF8.self)), path) } catch {
                throw MasterKeyError("\(path) \(error.message)")
            }
        }
        let (key, keyText) = MasterKey.generate(random: random)
        // O_EXCL: two servers starting at once on one data directory cannot both write a key.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST, let existing = FileManager.default.contents(atPath: path), let raced = try? MasterKey(text: String(decoding: existing, as: UTF8.self)) {
                return (raced, path)
            }
            throw MasterKeyError("could not create \(path): \(String(cString: strerror(errno)))")
        }
        let bytes = Array((keyText + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
        close(descriptor)
        guard written == bytes.count else { throw MasterKeyError("could not write \(path)") }
        return (key, path + " (new)")
    }

    /// Records the key's check value on first use and refuses a different key afterwards.
    public static func verify(_ key: MasterKey, in database: Database) async throws {
        let check = key.mac(for: "key-check", "gatehouse").prefix(16).map { String(format: "%02x", $0) }.joined()
        let stored = try await database.write { db -> String? in
            try await db.raw("INSERT INTO master_key_check (id, check_value) VALUES (1, \(bind: check)) ON CONFLICT (id) DO NOTHING").run()
            return try await db.raw("SELECT check_value FROM master_key_check WHERE id = 1").first()?.decode(column: "check_value", as: String.self)
        }
        guard stored == check else {
            throw MasterKeyError("the master key is not the one this database's secrets were sealed with; start with the original key (GATEHOUSE_MASTER_KEY or the master.key file)")
        }
    }
}

public struct MasterKeyError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
