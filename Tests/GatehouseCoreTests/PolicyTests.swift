import Foundation
@testable import GatehouseCore
import GatehouseTesting
import Testing

@Suite struct PasswordPolicyTests {
    let policy = PasswordPolicy()
    let ana = PasswordPolicy.Person(firstName: "Ana", lastName: "García-López", username: "ana.g@acme.test")

    func codes(_ password: String) -> [String] { policy.violations(of: password, for: ana).map(\.code) }

    @Test func validPassword_passes() {
        #expect(codes("Blue-Kettle-42").isEmpty)
        #expect(codes("blue kettle 42").isEmpty)   // lower, special (space), digit
    }

    @Test(arguments: [
        ("Ab1-", ["too_short"]),
        ("xxANAxx-1", ["contains_first_name"]),
        ("Lopez-99x", []),                          // accents differ: "López" is not "Lopez"
        ("x-lópez-9A", ["contains_last_name"]),
        ("García-9xx", ["contains_last_name"]),
        ("ana.g-2024X", ["contains_first_name", "contains_username"]),
        ("alllowercase", ["too_few_character_classes"]),
        ("Kettle#2024", ["forbidden_characters"]),
        ("ab", ["too_short", "too_few_character_classes"]),
    ])
    func eachRule_hasItsOwnCode(_ password: String, _ expected: [String]) {
        #expect(codes(password) == expected)
    }

    @Test func everyBrokenRule_isReportedAtOnce() {
        #expect(codes("ana@") == ["too_short", "contains_first_name", "too_few_character_classes", "forbidden_characters"])
    }

    @Test func settingsChangeTheRules() throws {
        var relaxed = PasswordPolicy()
        relaxed.requiredClasses = 1
        relaxed.forbiddenCharacters = ""
        relaxed.disallowNames = false
        relaxed.minLength = 12
        #expect(relaxed.violations(of: "ana@acme.test", for: ana).map(\.code) == [])
        #expect(relaxed.violations(of: "short", for: ana).map(\.code) == ["too_short"])
        #expect(PasswordPolicy().violations(of: String(repeating: "Aa1-", count: 300), for: ana).map(\.code) == ["too_long"])
    }

    @Test func characterClasses_countUnicodeLetters() {
        #expect(PasswordPolicy.characterClasses(in: "Éa1!") == 4)
        #expect(PasswordPolicy.characterClasses(in: "日本語") == 1)
    }
}

@Suite struct TenantSettingsTests {
    @Test func defaults_matchTheWebexPortal() {
        let settings = TenantSettings()
        #expect(settings.session.idleTimeoutSeconds == 1800)
        #expect(settings.session.absoluteTimeoutSeconds == 43200)
        #expect(settings.session.persistentIdleTimeoutSeconds == 1_728_000)
        #expect(settings.session.maxConcurrentSessions == nil)
        #expect(settings.lockout == LockoutPolicy())
        #expect(settings.password.forbiddenCharacters == "#$*/@")
        #expect(settings.password.history == 5)
    }

    @Test func merging_changesOnlyTheGivenFields() throws {
        let merged = try TenantSettings().merging([
            "session_policy": .object(["idle_timeout_seconds": .number(2), "max_concurrent_sessions": .number(1), "on_limit": .string("end_oldest")]),
            "lockout": .object(["max_failures": .number(3)]),
        ])
        #expect(merged.session.idleTimeoutSeconds == 2)
        #expect(merged.session.absoluteTimeoutSeconds == 43200)
        #expect(merged.session.maxConcurrentSessions == 1)
        #expect(merged.session.onLimit == .endOldest)
        #expect(merged.lockout.maxFailures == 3)
        #expect(merged.lockout.windowSeconds == 900)
        let cleared = try merged.merging(["session_policy": .object(["max_concurrent_sessions": .null])])
        #expect(cleared.session.maxConcurrentSessions == nil)
        #expect(TenantSettings(document: merged.document) == merged)
    }

    @Test func merging_namesEveryBadField_andChangesNothing() {
        do {
            _ = try TenantSettings().merging([
                "session_policy": .object(["idle_timeout_seconds": .number(0), "on_limit": .string("panic"), "colour": .string("red")]),
                "password_policy": .object(["min_length": .number(7.5), "disallow_names": .string("yes")]),
                "lockout": .string("off"),
                "mystery": .object([:]),
            ])
            Issue.record("expected FieldErrors")
        } catch {
            #expect(Set(error.messages.keys) == ["session_policy.idle_timeout_seconds", "session_policy.on_limit", "session_policy.colour",
                                                 "password_policy.min_length", "password_policy.disallow_names", "lockout", "mystery"])
        }
    }

    @Test func sectionsOfANewerBuild_surviveAnUpdate() throws {
        let stored = SettingsDocument(["mfa_policy": .string("required"),
                                       "lockout": .object(["max_failures": .number(7), "notify_user": .bool(true)])])
        let settings = TenantSettings(document: stored)
        #expect(settings.lockout.maxFailures == 7)
        let updated = try settings.merging(["lockout": .object(["lockout_seconds": .number(60)])]).document
        #expect(updated.values["mfa_policy"] == .string("required"))
        #expect(updated.values["lockout"] == .object(["max_failures": .number(7), "notify_user": .bool(true),
                                                      "window_seconds": .number(900), "lockout_seconds": .number(60)]))
        // This build still refuses to set a field it does not know.
        #expect(throws: FieldErrors.self) { try settings.merging(["lockout": .object(["notify_user": .bool(false)])]) }
    }
}

@Suite struct SessionTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func member() throws -> Member {
        Member.new(try MemberDraft(NewMemberInput(email: "a@b.cd", firstName: "A", lastName: "B", roles: ["agent"])), in: TenantID(), at: start)
    }

    @Test func browserSession_endsOnIdleOrAbsolute() throws {
        var policy = SessionPolicy()
        policy.idleTimeoutSeconds = 60
        policy.absoluteTimeoutSeconds = 300
        var session = Session.start(for: try member(), policy: policy, persistent: false, at: start, clientIP: nil, userAgent: nil)
        #expect(session.isActive(at: start.addingTimeInterval(59)))
        #expect(session.endReason(at: start.addingTimeInterval(60)) == .idleTimeout)
        session.idleExpiresAt = start.addingTimeInterval(400)
        #expect(session.endReason(at: start.addingTimeInterval(300)) == .absoluteTimeout)
        #expect(session.expiresAt == start.addingTimeInterval(300))
    }

    @Test func persistentSession_hasNoAbsoluteLimit_andItsOwnIdleTime() throws {
        let session = Session.start(for: try member(), policy: SessionPolicy(), persistent: true, at: start, clientIP: nil, userAgent: nil)
        #expect(session.absoluteExpiresAt == nil)
        #expect(session.idleExpiresAt == start.addingTimeInterval(1_728_000))
        #expect(session.isActive(at: start.addingTimeInterval(1_727_999)))
        #expect(!session.isActive(at: start.addingTimeInterval(1_728_000)))
    }

    @Test func activity_isWrittenAtMostEveryTenthOfTheIdleTime() throws {
        var policy = SessionPolicy()
        policy.idleTimeoutSeconds = 2
        let short = Session.start(for: try member(), policy: policy, persistent: false, at: start, clientIP: nil, userAgent: nil)
        #expect(!short.needsTouch(at: start.addingTimeInterval(0.1)))
        #expect(short.needsTouch(at: start.addingTimeInterval(0.2)))
        let long = Session.start(for: try member(), policy: SessionPolicy(), persistent: false, at: start, clientIP: nil, userAgent: nil)
        #expect(!long.needsTouch(at: start.addingTimeInterval(59)))
        #expect(long.needsTouch(at: start.addingTimeInterval(60)))
    }
}

@Suite struct PasswordHashingPoolTests {
    @Test func runsWorkOffTheCaller_andRefusesBeyondTheQueue() async throws {
        let pool = PasswordHashingPool(workers: 1, queueLimit: 1)
        defer { pool.shutdown() }
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        async let blocked: Int = pool.run { started.signal(); gate.wait(); return 1 }
        started.wait()                                   // the worker is busy now
        async let queued: Int = pool.run { 2 }           // waits in the queue
        while pool.pending < 1 { try await Task.sleep(for: .milliseconds(5)) }
        await #expect(throws: PasswordHashingBusy.self) { try await pool.run { 3 } }
        gate.signal()
        #expect(try await blocked == 1)
        #expect(try await queued == 2)
    }

    @Test func service_verifiesDecoyForUnknownAccounts_andFlagsRehash() async throws {
        let fast = Argon2idHasher(parameters: .init(memoryKiB: 1024, iterations: 1, parallelism: 1))
        let service = try PasswordService(hasher: fast, pool: PasswordHashingPool(workers: 1))
        let hash = try await service.hash("Blue-Kettle-42")
        #expect(try await service.verify("Blue-Kettle-42", against: hash))
        #expect(try await !service.verify("Blue-Kettle-43", against: hash))
        #expect(try await !service.verify("anything", against: nil))
        #expect(!service.needsRehash(hash))
        let older = try Argon2idHasher(parameters: .init(memoryKiB: 512, iterations: 1, parallelism: 1)).hash("Blue-Kettle-42")
        #expect(try await service.verify("Blue-Kettle-42", against: older))
        #expect(service.needsRehash(older))
        #expect(try await service.matchesAny("Blue-Kettle-42", of: [older, try await service.hash("x")]))
    }
}
