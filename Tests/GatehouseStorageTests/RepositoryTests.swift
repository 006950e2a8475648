import Foundation
import GatehouseCore
import GatehouseStorage
import GatehouseTesting
import SQLKit
import Testing

@Suite struct TenantRepositoryTests {
    @Test(arguments: TestDatabases.kinds)
    func create_find_list_andSlugConflict(_ kind: DatabaseKind) async throws {
        try await TestDatabases.withDatabase(kind) { database in
            let tenants = SQLTenantRepository(database: database)
            #expect(try await tenants.isEmpty())
            var acme = try Fixture.tenant("acme")
            acme.settings = SettingsDocument(["session_policy": .object(["idle_timeout_seconds": .number(1800)])])
            try await tenants.create(acme, audit: Fixture.audit(.tenantCreate, tenant: acme))
            #expect(try await tenants.find(slug: acme.slug) == acme)
            #expect(try await tenants.find(id: acme.id) == acme)
            #expect(try await !tenants.isEmpty())
            await #expect(throws: Conflict.slug) {
                try await tenants.create(try Fixture.tenant("acme"), audit: Fixture.audit(.tenantCreate))
            }
            try await tenants.create(try Fixture.tenant("beta"), audit: Fixture.audit(.tenantCreate))
            #expect(try await tenants.list().map(\.slug.rawValue) == ["acme", "beta"])
        }
    }
}

@Suite struct MemberRepositoryTests {
    @Test(arguments: TestDatabases.kinds)
    func create_roundTripsEveryField(_ kind: DatabaseKind) async throws {
        try await Fixture.withTenant(kind) { database, tenant in
            let members = SQLMemberRepository(database: database)
            var member = try Fixture.member("Ana@Acme.test", in: tenant, agentID: "0042", roles: ["agent", "supervisor"])
            member.user.phone = try PhoneNumber("+15125551212")
            member.user.language = try LanguageTag("fr-CA")
            try await members.create(member, password: PasswordHash(phcString: "$argon2id$x"), audit: Fixture.audit(.userCreate, tenant: tenant))
            #expect(try await members.find(tenant: tenant.id, user: member.user.id) == member)
            #expect(try await members.find(tenant: tenant.id, email: try EmailAddress("ana@ACME.test")) == member)
            #expect(try await members.find(tenant: TenantID(), user: member.user.id) == nil)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func emailIsUniqueOnTheServer_caseInsensitively_agentIDOnlyWithinATenant(_ kind: DatabaseKind) async throws {
        try await Fixture.withTenant(kind) { database, acme in
            let beta = try Fixture.tenant("beta")
            try await SQLTenantRepository(database: database).create(beta, audit: Fixture.audit(.tenantCreate))
            let members = SQLMemberRepository(database: database)
            try await members.create(try Fixture.member("ana@acme.test", in: acme, agentID: "1001"), password: nil, audit: Fixture.audit(.userCreate))
            await #expect(throws: Conflict.email) {
                try await members.create(try Fixture.member("ANA@acme.test", in: beta), password: nil, audit: Fixture.audit(.userCreate))
            }
            await #expect(throws: Conflict.agentID) {
                try await members.create(try Fixture.member("bob@acme.test", in: acme, agentID: "1001"), password: nil, audit: Fixture.audit(.userCreate))
            }
            // The same agent ID in another tenant is fine, and so are many members without one.
            try await members.create(try Fixture.member("bob@beta.test", in: beta, agentID: "1001"), password: nil, audit: Fixture.audit(.userCreate))
            try await members.create(try Fixture.member("cy@acme.test", in: acme), password: nil, audit: Fixture.audit(.userCreate))
            try await members.create(try Fixture.member("di@acme.test", in: acme), password: nil, audit: Fixture.audit(.userCreate))
            // A refused write leaves no trace: no user row and no audit row.
            let counts = try await database.read { db in
                (try await db.raw("SELECT COUNT(*) AS n FROM users").first()!.decode(column: "n", as: Int.self),
                 try await db.raw("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'user.create'").first()!.decode(column: "n", as: Int.self))
            }
            #expect(counts.0 == 4 && counts.1 == 4)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func update_savesChanges_andMapsConflicts(_ kind: DatabaseKind) async throws {
        try await Fixture.withTenant(kind) { database, tenant in
            let members = SQLMemberRepository(database: database)
            var ana = try Fixture.member("ana@acme.test", in: tenant, agentID: "1")
            let bob = try Fixture.member("bob@acme.test", in: tenant, agentID: "2")
            try await members.create(ana, password: nil, audit: Fixture.audit(.userCreate))
            try await members.create(bob, password: nil, audit: Fixture.audit(.userCreate))
            var changes = MemberChangesInput()
            changes.lastName = "Díaz-López"
            changes.roles = ["administrator"]
            changes.status = "disabled"
            changes.agentID = .clear
            try ana.apply(changes, at: Fixture.now.addingTimeInterval(60))
            try await members.update(ana, audit: Fixture.audit(.userUpdate), outbox: [])
            #expect(try await members.find(tenant: tenant.id, user: ana.user.id) == ana)

            var clash = bob
            clash.user.email = try EmailAddress("ANA@acme.test")
            await #expect(throws: Conflict.email) { try await members.update(clash, audit: Fixture.audit(.userUpdate), outbox: []) }
            #expect(try await members.find(tenant: tenant.id, user: bob.user.id) == bob)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func delete_removesTheMembershipAndTheLoneUser(_ kind: DatabaseKind) async throws {
        try await Fixture.withTenant(kind) { database, tenant in
            let members = SQLMemberRepository(database: database)
            let ana = try Fixture.member("ana@acme.test", in: tenant)
            try await members.create(ana, password: PasswordHash(phcString: "$argon2id$x"), audit: Fixture.audit(.userCreate))
            let token = APIToken(tenantID: tenant.id, userID: ana.user.id, name: "t", prefix: "gh_x", createdAt: Fixture.now)
            try await SQLAPITokenRepository(database: database).create(token, secretDigest: "d1", audit: Fixture.audit(.apiTokenCreate))
            #expect(try await members.delete(tenant: tenant.id, user: ana.user.id, audit: Fixture.audit(.userDelete)))
            #expect(try await members.find(tenant: tenant.id, user: ana.user.id) == nil)
            #expect(try await !members.delete(tenant: tenant.id, user: ana.user.id, audit: Fixture.audit(.userDelete)))
            #expect(try await SQLAPITokenRepository(database: database).find(secretDigest: "d1") == nil)
            // The email is free again.
            try await members.create(try Fixture.member("ana@acme.test", in: tenant), password: nil, audit: Fixture.audit(.userCreate))
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func list_searchesAndPagesInEmailOrder(_ kind: DatabaseKind) async throws {
        try await Fixture.withTenant(kind) { database, tenant in
            let members = SQLMemberRepository(database: database)
            let other = try Fixture.tenant("other")
            try await SQLTenantRepository(database: database).create(other, audit: Fixture.audit(.tenantCreate))
            try await members.create(try Fixture.member("zed@other.test", in: other), password: nil, audit: Fixture.audit(.userCreate))
            for index in 0..<7 {
                try await members.create(try Fixture.member("user\(index)@acme.test", in: tenant, agentID: "10\(index)",
                                                            first: index == 3 ? "Zoë" : "Ana", last: index == 5 ? "50%_off" : "Diaz"),
                                         password: nil, audit: Fixture.audit(.userCreate))
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await members.list(tenant: tenant.id, query: MemberQuery(limit: 3, after: cursor))
                #expect(page.members.count <= 3)
                seen += page.members.map(\.user.email.value)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == (0..<7).map { "user\($0)@acme.test" })

            #expect(try await members.list(tenant: tenant.id, query: MemberQuery(search: "USER2")).members.map(\.user.email.value) == ["user2@acme.test"])
            #expect(try await members.list(tenant: tenant.id, query: MemberQuery(search: "104")).members.map(\.user.email.value) == ["user4@acme.test"])
            #expect(try await members.list(tenant: tenant.id, query: MemberQuery(search: "50%_")).members.map(\.user.email.value) == ["user5@acme.test"])
            #expect(try await members.list(tenant: tenant.id, query: MemberQuery(search: "%")).members.map(\.user.email.value) == ["user5@acme.test"])
            #expect(try await members.list(tenant: tenant.id, query: MemberQuery(search: "zed")).members.isEmpty)
        }
    }

    /// Many writers at once: every creation either commits or reports a conflict; nothing is
    /// lost and no "database is locked" error escapes.
    @Test(arguments: TestDatabases.kinds)
    func concurrentCreations_allCommit(_ kind: DatabaseKind) async throws {
        try await Fixture.withTenant(kind) { database, tenant in
            let members = SQLMemberRepository(database: database)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<60 {
                    group.addTask {
                        try await members.create(try Fixture.member("p\(index)@acme.test", in: tenant, agentID: "\(index)"),
                                                 password: nil, audit: Fixture.audit(.userCreate))
                    }
                }
                try await group.waitForAll()
            }
            let page = try await members.list(tenant: tenant.id, query: MemberQuery(limit: 200))
            #expect(page.members.count == 60)
        }
    }
}

@Suite struct AuditRepositoryTests {
    @Test(arguments: TestDatabases.kinds)
    func events_areAppendOnly(_ kind: DatabaseKind) async throws {
        try await Fixture.withTenant(kind) { database, tenant in
            let audit = SQLAuditRepository(database: database)
            let event = AuditEvent(at: Fixture.now, tenant: tenant.id, actor: .user(UserID()), action: .userUpdate,
                                   target: .user(UserID()), outcome: .denied, clientIP: "203.0.113.9", detail: ["field": "roles"])
            try await audit.append(event)
            #expect(try await audit.recent(tenant: tenant.id, limit: 1) == [event])
            await #expect(throws: (any Error).self) {
                try await database.write { try await $0.raw("UPDATE audit_events SET outcome = 'success'").run() }
            }
            await #expect(throws: (any Error).self) {
                try await database.write { try await $0.raw("DELETE FROM audit_events").run() }
            }
            #expect(try await audit.recent(tenant: tenant.id, limit: 10).contains(event))
        }
    }
}

@Suite struct TokenAndSetupRepositoryTests {
    @Test(arguments: TestDatabases.kinds)
    func token_isFoundByDigest_withItsMemberAndTenant(_ kind: DatabaseKind) async throws {
        try await Fixture.withTenant(kind) { database, tenant in
            let member = try Fixture.member("ana@acme.test", in: tenant, roles: ["administrator"])
            try await SQLMemberRepository(database: database).create(member, password: nil, audit: Fixture.audit(.userCreate))
            let service = APITokenService(tokens: SQLAPITokenRepository(database: database), clock: FixedClock(Fixture.now),
                                          random: SeededRandom())
            let (token, secret) = try await service.issue(for: member, in: tenant, name: "ci", actor: .commandLine)
            let found = try #require(try await service.authenticate(secret))
            #expect(found.token == token)
            #expect(found.member == member)
            #expect(found.tenant == tenant)
            #expect(token.prefix == String(secret.prefix(10)))
            #expect(try await service.authenticate(secret + "x") == nil)
            #expect(try await service.authenticate("not-a-token") == nil)
            // Only the digest is stored.
            let stored = try await database.read { db in
                try await db.raw("SELECT secret_digest FROM api_tokens").first()!.decode(column: "secret_digest", as: String.self)
            }
            #expect(stored == SecretToken(presented: secret).digest)
            #expect(!stored.contains(secret))
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func setupLink_worksOnce_andOnlyTheNewestWorks(_ kind: DatabaseKind) async throws {
        try await TestDatabases.withDatabase(kind) { database in
            let setup = FirstRunSetup(tenants: SQLTenantRepository(database: database), setup: SQLSetupRepository(database: database),
                                      clock: FixedClock(Fixture.now), random: SeededRandom())
            let old = try #require(try await setup.issueLinkIfNeeded())
            let link = try #require(try await setup.issueLinkIfNeeded())
            #expect(try await !setup.isUsable(old))
            #expect(try await setup.isUsable(link))
            let form = FirstRunSetup<SQLTenantRepository, SQLSetupRepository>.Form(
                tenantSlug: "acme", tenantName: "Acme", region: nil, email: "ana@acme.test", firstName: "Ana", lastName: "Diaz",
                password: "Blue-Kettle-42")
            let (tenantDraft, admin) = try setup.validate(form, defaultRegion: .northAmerica)
            #expect(try await setup.complete(secret: old, tenant: tenantDraft, administrator: admin,
                                             password: PasswordHash(phcString: "$x"), clientIP: nil) == nil)
            let created = try #require(try await setup.complete(secret: link, tenant: tenantDraft, administrator: admin,
                                                                password: PasswordHash(phcString: "$x"), clientIP: "127.0.0.1"))
            #expect(created.1.membership.roles == [.administrator])
            #expect(try await setup.complete(secret: link, tenant: tenantDraft, administrator: admin,
                                             password: PasswordHash(phcString: "$x"), clientIP: nil) == nil)
            #expect(try await setup.issueLinkIfNeeded() == nil)
            #expect(try await SQLTenantRepository(database: database).list().count == 1)
        }
    }
}
