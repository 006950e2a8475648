import Foundation
import GatehouseCore
import GatehouseStorage
import GatehouseTesting
import Testing

@Suite struct AttemptCounterTests {
    @Test(arguments: TestDatabases.kinds)
    func counts_locks_andStartsFreshAfterTheWindow(_ kind: DatabaseKind) async throws {
        try await TestDatabases.withDatabase(kind) { database in
            let counters = SQLAttemptCounterRepository(database: database)
            let t0 = Fixture.now
            #expect(try await counters.count("k", at: t0, windowSeconds: 60).attempts == 1)
            #expect(try await counters.count("k", at: t0.addingTimeInterval(10), windowSeconds: 60).attempts == 2)
            try await counters.lock("k", until: t0.addingTimeInterval(100))
            let locked = try await counters.count("k", at: t0.addingTimeInterval(20), windowSeconds: 60)
            #expect(locked.attempts == 2)            // a locked key is not counted further
            #expect(locked.isLocked(at: t0.addingTimeInterval(20)))
            let afterLock = try await counters.count("k", at: t0.addingTimeInterval(101), windowSeconds: 60)
            #expect(afterLock == AttemptCount(attempts: 1, lockedUntil: nil))
            #expect(try await counters.count("k", at: t0.addingTimeInterval(200), windowSeconds: 60).attempts == 1)
            #expect(try await counters.count("other", at: t0, windowSeconds: 60).attempts == 1)
            try await counters.lock("k", until: t0.addingTimeInterval(500))
            #expect(try await counters.clear("k", at: t0.addingTimeInterval(300)))
            #expect(try await !counters.clear("k", at: t0.addingTimeInterval(300)))
            #expect(try await counters.count("k", at: t0.addingTimeInterval(301), windowSeconds: 60).attempts == 1)
        }
    }

    /// Zitadel's race: parallel attempts must each get their own number.
    @Test(arguments: TestDatabases.kinds)
    func parallelAttempts_areCountedExactly(_ kind: DatabaseKind) async throws {
        try await TestDatabases.withDatabase(kind) { database in
            let counters = SQLAttemptCounterRepository(database: database)
            let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 { group.addTask { try await counters.count("race", at: Fixture.now, windowSeconds: 900).attempts } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(numbers.sorted() == Array(1...50))
        }
    }
}

@Suite struct SessionRepositoryTests {
    static func session(_ member: Member, at offset: TimeInterval = 0, idle: Int = 1800) -> Session {
        var policy = SessionPolicy()
        policy.idleTimeoutSeconds = idle
        return Session.start(for: member, policy: policy, persistent: false, at: Fixture.now.addingTimeInterval(offset),
                             clientIP: "192.0.2.1", userAgent: "test")
    }

    static func withMember(_ kind: DatabaseKind, _ body: @Sendable (SQLSessionRepository, Member, Tenant) async throws -> Void) async throws {
        try await Fixture.withTenant(kind) { database, tenant in
            let member = try Fixture.member("ana@acme.test", in: tenant)
            try await SQLMemberRepository(database: database).create(member, password: nil, audit: Fixture.audit(.userCreate))
            try await body(SQLSessionRepository(database: database), member, tenant)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func create_find_touch_end(_ kind: DatabaseKind) async throws {
        try await Self.withMember(kind) { sessions, member, _ in
            let session = Self.session(member)
            #expect(try await sessions.create(session, secretDigest: "d1", limit: nil, replacing: nil, audit: Fixture.audit(.loginPassword), outbox: []) == [])
            #expect(try await sessions.findWithOwner(secretDigest: "d1")?.session == session)
            let later = Fixture.now.addingTimeInterval(100)
            try await sessions.touch(session.id, lastSeenAt: later, idleExpiresAt: later.addingTimeInterval(1800))
            #expect(try await sessions.findWithOwner(secretDigest: "d1")?.session.idleExpiresAt == later.addingTimeInterval(1800))
            #expect(try await sessions.active(user: member.user.id, tenant: nil, at: later).map(\.id) == [session.id])
            #expect(try await sessions.end(session.id, user: member.user.id, tenant: nil, reason: .signedOut, at: later, audit: Fixture.audit(.sessionEnd), outbox: []))
            #expect(try await !sessions.end(session.id, user: member.user.id, tenant: nil, reason: .signedOut, at: later, audit: Fixture.audit(.sessionEnd), outbox: []))
            let ended = try #require(try await sessions.findWithOwner(secretDigest: "d1")?.session)
            #expect(ended.endReason(at: later) == .signedOut)
            #expect(try await sessions.active(user: member.user.id, tenant: nil, at: later).isEmpty)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func limit_refusesOrEndsTheOldest(_ kind: DatabaseKind) async throws {
        try await Self.withMember(kind) { sessions, member, _ in
            let first = Self.session(member), second = Self.session(member, at: 1), third = Self.session(member, at: 2)
            _ = try await sessions.create(first, secretDigest: "a", limit: SessionLimit(maximum: 1, onLimit: .refuse), replacing: nil, audit: Fixture.audit(.loginPassword), outbox: [])
            await #expect(throws: SessionLimitReached(limit: 1)) {
                _ = try await sessions.create(second, secretDigest: "b", limit: SessionLimit(maximum: 1, onLimit: .refuse), replacing: nil, audit: Fixture.audit(.loginPassword), outbox: [])
            }
            #expect(try await sessions.findWithOwner(secretDigest: "b")?.session == nil)
            let ended = try await sessions.create(third, secretDigest: "c", limit: SessionLimit(maximum: 1, onLimit: .endOldest), replacing: nil, audit: Fixture.audit(.loginPassword), outbox: [])
            #expect(ended == [first.id])
            #expect(try await sessions.active(user: member.user.id, tenant: nil, at: Fixture.now.addingTimeInterval(3)).map(\.id) == [third.id])
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func newSignIn_endsTheBrowsersPreviousSession_andEndAllSparesOne(_ kind: DatabaseKind) async throws {
        try await Self.withMember(kind) { sessions, member, _ in
            let first = Self.session(member), second = Self.session(member, at: 1), third = Self.session(member, at: 2)
            _ = try await sessions.create(first, secretDigest: "a", limit: nil, replacing: nil, audit: Fixture.audit(.loginPassword), outbox: [])
            _ = try await sessions.create(second, secretDigest: "b", limit: nil, replacing: "a", audit: Fixture.audit(.loginPassword), outbox: [])
            #expect(try await sessions.findWithOwner(secretDigest: "a")?.session.endReason == .signedInAgain)
            _ = try await sessions.create(third, secretDigest: "c", limit: nil, replacing: nil, audit: Fixture.audit(.loginPassword), outbox: [])
            let count = try await sessions.endAll(user: member.user.id, tenant: nil, except: third.id, reason: .passwordChanged,
                                                  at: Fixture.now.addingTimeInterval(3), audit: Fixture.audit(.passwordChange), outbox: [])
            #expect(count == 1)
            #expect(try await sessions.active(user: member.user.id, tenant: nil, at: Fixture.now.addingTimeInterval(3)).map(\.id) == [third.id])
        }
    }
}

@Suite struct PasswordCredentialRepositoryTests {
    @Test(arguments: TestDatabases.kinds)
    func change_keepsTheNewestHistory(_ kind: DatabaseKind) async throws {
        try await Fixture.withTenant(kind) { database, tenant in
            let member = try Fixture.member("ana@acme.test", in: tenant)
            try await SQLMemberRepository(database: database).create(member, password: PasswordHash(phcString: "h0"), audit: Fixture.audit(.userCreate))
            let credentials = SQLPasswordCredentialRepository(database: database)
            for index in 1...6 {
                try await credentials.change(member.user.id, to: PasswordHash(phcString: "h\(index)"), keepHistory: 3, endingSessionsExcept: nil,
                                             at: Fixture.now, audit: Fixture.audit(.passwordChange), outbox: [])
            }
            #expect(try await credentials.hash(for: member.user.id) == PasswordHash(phcString: "h6"))
            #expect(try await credentials.recent(for: member.user.id, limit: 3).map(\.phcString) == ["h6", "h5", "h4"])
            #expect(try await credentials.recent(for: member.user.id, limit: 10).map(\.phcString) == ["h6", "h5", "h4"])
            try await credentials.rehash(member.user.id, to: PasswordHash(phcString: "h6b"), expected: PasswordHash(phcString: "other"))
            #expect(try await credentials.hash(for: member.user.id)?.phcString == "h6")
            try await credentials.rehash(member.user.id, to: PasswordHash(phcString: "h6b"), expected: PasswordHash(phcString: "h6"))
            #expect(try await credentials.hash(for: member.user.id)?.phcString == "h6b")
        }
    }
}

@Suite struct SessionTenantScopeTests {
    /// An administrator's reach is their tenant: a person's sessions in another tenant are
    /// neither listed nor ended through it.
    @Test(arguments: TestDatabases.kinds)
    func tenantScopedQueries_leaveOtherTenantsSessionsAlone(_ kind: DatabaseKind) async throws {
        try await SessionRepositoryTests.withMember(kind) { sessions, member, acme in
            let beta = try Fixture.tenant("beta")
            let database = sessions.database
            try await SQLTenantRepository(database: database).create(beta, audit: Fixture.audit(.tenantCreate))
            let here = SessionRepositoryTests.session(member)
            var there = SessionRepositoryTests.session(member, at: 1)
            there = Session(id: there.id, tenantID: beta.id, userID: there.userID, persistent: false, createdAt: there.createdAt,
                            lastSeenAt: there.lastSeenAt, idleExpiresAt: there.idleExpiresAt, absoluteExpiresAt: there.absoluteExpiresAt,
                            idleTimeoutSeconds: there.idleTimeoutSeconds, clientIP: nil, userAgent: nil)
            _ = try await sessions.create(here, secretDigest: "h", limit: nil, replacing: nil, audit: Fixture.audit(.loginPassword), outbox: [])
            _ = try await sessions.create(there, secretDigest: "t", limit: nil, replacing: nil, audit: Fixture.audit(.loginPassword), outbox: [])
            let now = Fixture.now.addingTimeInterval(2)
            #expect(try await sessions.active(user: member.user.id, tenant: acme.id, at: now).map(\.id) == [here.id])
            #expect(try await !sessions.end(there.id, user: member.user.id, tenant: acme.id, reason: .endedByAdministrator, at: now,
                                             audit: Fixture.audit(.sessionEnd), outbox: []))
            #expect(try await sessions.endAll(user: member.user.id, tenant: acme.id, except: nil, reason: .endedByAdministrator,
                                              at: now, audit: Fixture.audit(.sessionEndAll), outbox: []) == 1)
            #expect(try await sessions.active(user: member.user.id, tenant: nil, at: now).map(\.id) == [there.id])
        }
    }
}

@Suite struct AttemptReleaseTests {
    @Test(arguments: TestDatabases.kinds)
    func release_takesBackOneUnjudgedAttempt_butNeverUnlocks(_ kind: DatabaseKind) async throws {
        try await TestDatabases.withDatabase(kind) { database in
            let counters = SQLAttemptCounterRepository(database: database)
            _ = try await counters.count("k", at: Fixture.now, windowSeconds: 60)
            _ = try await counters.count("k", at: Fixture.now, windowSeconds: 60)
            try await counters.release("k")
            #expect(try await counters.count("k", at: Fixture.now, windowSeconds: 60).attempts == 2)
            try await counters.lock("k", until: Fixture.now.addingTimeInterval(60))
            try await counters.release("k")
            #expect(try await counters.count("k", at: Fixture.now, windowSeconds: 60).isLocked(at: Fixture.now))
        }
    }
}
