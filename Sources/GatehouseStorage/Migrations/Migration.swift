/// One numbered, forward-only change to the schema. Most statements are the same on both
/// databases; where the DDL differs (triggers, functions) each database gets its own.
struct Migration: Sendable {
    let version: Int
    let name: String
    let sqlite: [String]
    let postgres: [String]

    init(_ version: Int, _ name: String, common: [String], sqlite: [String] = [], postgres: [String] = []) {
        self.version = version
        self.name = name
        self.sqlite = common + sqlite
        self.postgres = common + postgres
    }

    func statements(for kind: DatabaseKind) -> [String] {
        kind == .sqlite ? sqlite : postgres
    }
}

extension Migration {
    /// Every migration this build knows, in order. Append only: a released migration is never edited.
    static let all: [Migration] = [
        .v1Foundation,
        .v2Sessions,
        .v3Accounts,
        .v4MFA,
        .v5Presence,
    ]
}
