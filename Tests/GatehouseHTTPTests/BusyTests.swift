import Foundation
import GatehouseCore
import GatehouseHTTP
import GatehouseStorage
import GatehouseTesting
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing

@Suite struct BusyTests {
    /// With the hashing pool full, a sign-in is answered 503 with Retry-After at once, and the
    /// attempt is not counted against the name: load must never lock anybody out.
    @Test(arguments: TestDatabases.kinds)
    func fullHashingQueue_answers503_withoutCountingTheAttempt(_ kind: DatabaseKind) async throws {
        try await TestDatabases.withDatabase(kind) { database in
            let hasher = GatedTestHasher()
            let pool = PasswordHashingPool(workers: 1, queueLimit: 1)
            defer { pool.shutdown() }
            let router = try await buildRouter(configuration: ServerConfiguration(),
                                               dependencies: ApplicationDependencies(database: database, passwordHasher: hasher,
                                                                                     hashingPool: pool, masterKey: .testKey))
            try await Application(router: router).test(.router) { client in
                func login(_ email: String) async throws -> TestResponse {
                    try await client.execute(uri: "/api/v1/login", method: .post, headers: [.contentType: "application/json"],
                                             body: ByteBuffer(string: #"{"username":"\#(email)","password":"Blue-Kettle-42"}"#))
                }
                async let first = login("one@acme.test")      // held by the worker
                while try await Self.attempts(database, "one@acme.test") == 0 { try await Task.sleep(for: .milliseconds(10)) }
                while pool.pending > 0 { try await Task.sleep(for: .milliseconds(10)) }   // the worker has taken it
                async let second = login("two@acme.test")     // waits in the queue
                while pool.pending < 1 { try await Task.sleep(for: .milliseconds(10)) }
                let refused = try await login("three@acme.test")
                #expect(refused.status == .serviceUnavailable)
                #expect(refused.errorCode == "busy")
                #expect(refused.headers[.retryAfter] != nil)
                #expect(try await Self.attempts(database, "three@acme.test") == 0)
                hasher.open(2)
                #expect(try await first.status == .unauthorized)
                #expect(try await second.status == .unauthorized)
            }
        }
    }

    static func attempts(_ database: Database, _ email: String) async throws -> Int {
        try await database.read { db in
            try await db.raw("SELECT attempts FROM attempt_counters WHERE counter_key = \(bind: "account:email:" + email)")
                .first().map { Int(try $0.decode(column: "attempts", as: Int64.self)) } ?? 0
        }
    }
}
