import Foundation
import GatehouseCore
import GatehouseHTTP
import GatehouseStorage
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing

/// Invitations, temporary passwords and forgot-password through the router, with the fixed
/// clock for link lifetimes. Emails are read back from the outbox (sealed with the test key).
@Suite struct AccountFlowTests {
    static let password = LoginTests.password

    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// The emails in acme's outbox, newest first.
    static func mails(_ harness: Harness) async throws -> [MailRequest] {
        let tenant = try #require(try await SQLTenantRepository(database: harness.database).find(slug: try TenantSlug("acme")))
        return try await SQLOutboxRepository(database: harness.database).list(tenant: tenant.id, kind: .email, limit: 100)
            .map { try MailRequest.open($0.entry, box: MasterKey.testKey.box(for: "outbox")) }
    }

    /// The token at the end of the newest `template` email's link to `email`.
    static func linkToken(_ harness: Harness, template: String, to email: String) async throws -> String {
        let mail = try #require(try await mails(harness).first { $0.template == template && $0.to == email })
        let link = try #require(mail.values["link"])
        return String(link.split(separator: "/").last!)
    }

    static func createUser(_ client: any TestClientProtocol, _ harness: Harness, _ fields: [String: Any]) async throws -> TestResponse {
        var body: [String: Any] = ["first_name": "John", "last_name": "Doe", "roles": ["agent"]]
        body.merge(fields) { $1 }
        return try await client.api(.post, "/api/v1/tenants/acme/users", token: harness.adminToken, json: json(body))
    }

    static func post(_ client: any TestClientProtocol, _ uri: String, _ body: [String: Any]) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: json(body)))
    }

    @Test(arguments: TestDatabases.kinds)
    func invitation_signsIn_once_expires_andResendKillsTheOldLink(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let created = try await Self.createUser(client, harness, ["email": "jo@acme.test", "invite": true])
            #expect(created.status == .created, "\(created.text)")
            #expect(created.object["status"] as? String == "invited")
            #expect(created.object["invitation_expires_at"] is String)
            let mail = try #require(try await Self.mails(harness).first)
            #expect(mail.template == "invitation" && mail.to == "jo@acme.test" && mail.values["valid_for"] == "24 hours")
            let token = try await Self.linkToken(harness, template: "invitation", to: "jo@acme.test")

            // An invited user cannot sign in yet.
            #expect(try await LoginTests.login(client, email: "jo@acme.test").status == .unauthorized)
            let page = try await client.execute(uri: "/invitations/\(token)", method: .get)
            #expect(page.status == .ok && page.text.contains("Welcome, John") && page.text.contains(#"data-rule="too_short""#))
            let weak = try await Self.post(client, "/api/v1/invitations/\(token)/accept", ["password": "short"])
            #expect(weak.status == .badRequest && weak.errorCode == "password_policy")
            let accepted = try await Self.post(client, "/api/v1/invitations/\(token)/accept", ["password": Self.password])
            #expect(accepted.status == .ok, "\(accepted.text)")
            #expect(accepted.object["status"] as? String == "signed_in")
            #expect(accepted.headers[.setCookie]?.contains("gatehouse_session=") == true)
            #expect(try await LoginTests.login(client, email: "jo@acme.test").status == .ok)

            let again = try await Self.post(client, "/api/v1/invitations/\(token)/accept", ["password": Self.password])
            #expect(again.status == .gone && again.errorCode == "link_used")
            let refusals = try await harness.database.read { db in
                try await db.raw("SELECT detail FROM audit_events WHERE action = 'invitation.accept' AND outcome = 'denied'").all()
                    .map { try $0.decode(column: "detail", as: String.self) }
            }
            #expect(refusals == [#"{"reason":"link_used"}"#], "a refused link is audited")
            let usedPage = try await client.execute(uri: "/invitations/\(token)", method: .get)
            #expect(usedPage.status == .gone && usedPage.text.contains("already been used") && usedPage.text.contains("administrator"))

            // A second invitation left for 24 hours and a second.
            let late = try await Self.createUser(client, harness, ["email": "late@acme.test", "invite": true])
            let lateID = try #require(late.object["id"] as? String)
            let lateToken = try await Self.linkToken(harness, template: "invitation", to: "late@acme.test")
            harness.clock.advance(by: 86_401)
            let expired = try await client.execute(uri: "/invitations/\(lateToken)", method: .get)
            #expect(expired.status == .gone && expired.text.contains("has expired") && expired.text.contains("administrator"))
            #expect(try await Self.post(client, "/api/v1/invitations/\(lateToken)/accept", ["password": Self.password]).errorCode == "link_expired")

            let resent = try await client.api(.post, "/api/v1/tenants/acme/users/\(lateID)/invitation", token: harness.adminToken)
            #expect(resent.status == .accepted, "\(resent.text)")
            let newToken = try await Self.linkToken(harness, template: "invitation", to: "late@acme.test")
            #expect(newToken != lateToken)
            #expect(try await Self.post(client, "/api/v1/invitations/\(lateToken)/accept", ["password": Self.password]).status == .gone)
            #expect(try await Self.post(client, "/api/v1/invitations/\(newToken)/accept", ["password": Self.password]).status == .ok)
            // Accepted: no more re-sending.
            let done = try await client.api(.post, "/api/v1/tenants/acme/users/\(lateID)/invitation", token: harness.adminToken)
            #expect(done.status == .conflict && done.errorCode == "not_invited")
            let unknown = try await Self.post(client, "/api/v1/invitations/inv_nope/accept", ["password": Self.password])
            #expect(unknown.status == .notFound && unknown.errorCode == "link_not_found")
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func temporaryPassword_leadsOnlyToTheChangeStep(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let created = try await Self.createUser(client, harness, ["email": "temp@acme.test", "temporary_password": true])
            #expect(created.status == .created, "\(created.text)")
            let temporary = try #require(created.object["temporary_password"] as? String)
            #expect(temporary.count == 16 && created.object["temporary_password_format"] as? String == "random")
            #expect(created.object["temporary_password_warning"] == nil)
            let policy = PasswordPolicy()
            #expect(policy.violations(of: temporary, for: .init(firstName: "John", lastName: "Doe", username: "temp@acme.test")).isEmpty)

            let first = try await LoginTests.login(client, email: "temp@acme.test", password: temporary)
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.object["status"] as? String == "password_change_required")
            #expect(first.headers[.setCookie]?.contains("gatehouse_session") != true)
            let flow = try #require(first.object["flow_id"] as? String)
            let reuse = try await Self.post(client, "/api/v1/login/\(flow)/password", ["new_password": temporary])
            #expect(reuse.status == .badRequest && reuse.errorCode == "password_policy", "\(reuse.text)")
            let changed = try await Self.post(client, "/api/v1/login/\(flow)/password", ["new_password": Self.password])
            #expect(changed.status == .ok && changed.object["status"] as? String == "signed_in", "\(changed.text)")
            #expect(changed.headers[.setCookie]?.contains("gatehouse_session=") == true)
            #expect(try await Self.post(client, "/api/v1/login/\(flow)/password", ["new_password": "Other-Kettle-43"]).status == .gone)
            #expect(try await LoginTests.login(client, email: "temp@acme.test", password: temporary).status == .unauthorized)
            #expect(try await LoginTests.login(client, email: "temp@acme.test").object["status"] as? String == "signed_in")

            // Webex's format, and an administrator's new temporary password that then expires.
            try await LoginTests.patchSettings(client, harness, #"{"temporary_password_format":"initials_phone"}"#)
            let john = try await Self.createUser(client, harness, ["email": "john@acme.test", "phone": "5125551212", "temporary_password": true])
            #expect(john.object["temporary_password"] as? String == "Jd5125551212!!", "\(john.text)")
            #expect((john.object["temporary_password_warning"] as? String)?.contains("guessed") == true)
            let noPhone = try await Self.createUser(client, harness, ["email": "nophone@acme.test", "temporary_password": true])
            #expect(noPhone.status == .badRequest && noPhone.fieldNames.contains("phone"))
            let johnID = try #require(john.object["id"] as? String)
            let reissued = try await client.api(.post, "/api/v1/tenants/acme/users/\(johnID)/temporary-password", token: harness.adminToken)
            #expect(reissued.status == .created && reissued.object["temporary_password"] as? String == "Jd5125551212!!")
            harness.clock.advance(by: 259_201)
            let stale = try await LoginTests.login(client, email: "john@acme.test", password: "Jd5125551212!!")
            #expect(stale.status == .unauthorized && stale.errorCode == "temporary_password_expired", "\(stale.text)")
            let invited = try await Self.createUser(client, harness, ["email": "inv@acme.test", "temporary_password": true, "status": "invited"])
            #expect(invited.status == .badRequest && invited.fieldNames == ["status"], "\(invited.text)")
            let both = try await Self.createUser(client, harness, ["email": "both@acme.test", "temporary_password": true, "invite": true])
            #expect(both.status == .badRequest && both.fieldNames == ["invite", "temporary_password"])
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func forgotPassword_confirmsTheMaskedAddress_andTellsNothingAboutUnknownNames(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            _ = try await Self.createUser(client, harness, ["email": "ana.diaz@acme.test", "agent_id": "4242", "password": Self.password])
            let signedIn = try await LoginTests.login(client, email: "ana.diaz@acme.test")
            let cookie = try #require(signedIn.headers[.setCookie]?.split(separator: ";").first.map(String.init))

            let known = try await Self.post(client, "/api/v1/password-recovery", ["username": "ana.diaz@acme.test"])
            #expect(known.status == .ok && known.object["masked_email"] as? String == "a***@a***.test", "\(known.text)")
            let byAgent = try await Self.post(client, "/api/v1/password-recovery", ["agent_id": "4242", "tenant": "acme"])
            #expect(byAgent.object["masked_email"] as? String == "a***@a***.test")
            let unknown = try await Self.post(client, "/api/v1/password-recovery", ["username": "nobody@acme.test"])
            #expect(unknown.status == .ok && unknown.object["masked_email"] as? String == "n***@a***.test")
            #expect(Set(unknown.object.keys) == Set(known.object.keys))
            let ghost1 = try await Self.post(client, "/api/v1/password-recovery", ["agent_id": "999", "tenant": "acme"])
            let ghost2 = try await Self.post(client, "/api/v1/password-recovery", ["agent_id": "999", "tenant": "acme"])
            let ghostMask = try #require(ghost1.object["masked_email"] as? String)
            #expect(ghostMask == ghost2.object["masked_email"] as? String && ghostMask.contains("***@"))

            let before = try await Self.mails(harness).count
            let unknownID = try #require(unknown.object["recovery_id"] as? String)
            #expect(try await client.execute(uri: "/api/v1/password-recovery/\(unknownID)/confirm", method: .post).status == .accepted)
            #expect(try await Self.mails(harness).count == before, "no email for an unknown name")
            let knownID = try #require(known.object["recovery_id"] as? String)
            #expect(try await client.execute(uri: "/api/v1/password-recovery/\(knownID)/confirm", method: .post).status == .accepted)
            #expect(try await client.execute(uri: "/api/v1/password-recovery/\(knownID)/confirm", method: .post).status == .accepted)
            #expect(try await Self.mails(harness).count == before + 1, "one email, however often it is confirmed")
            let token = try await Self.linkToken(harness, template: "password_reset", to: "ana.diaz@acme.test")

            let reused = try await Self.post(client, "/api/v1/password-reset/\(token)", ["new_password": Self.password])
            #expect(reused.status == .badRequest && reused.errorCode == "password_policy")
            let reset = try await Self.post(client, "/api/v1/password-reset/\(token)", ["new_password": "Green-Teapot-17"])
            #expect(reset.status == .noContent, "\(reset.text)")
            #expect(try await LoginTests.withSession(client, .get, "/api/v1/session", cookie: cookie).status == .unauthorized)
            #expect(try await LoginTests.login(client, email: "ana.diaz@acme.test").status == .unauthorized)
            #expect(try await LoginTests.login(client, email: "ana.diaz@acme.test", password: "Green-Teapot-17").status == .ok)
            let again = try await Self.post(client, "/api/v1/password-reset/\(token)", ["new_password": "Other-Teapot-18"])
            #expect(again.status == .gone && again.errorCode == "link_used")

            // A reset link lives 60 minutes.
            let second = try await Self.post(client, "/api/v1/password-recovery", ["username": "ana.diaz@acme.test"])
            let secondID = try #require(second.object["recovery_id"] as? String)
            _ = try await client.execute(uri: "/api/v1/password-recovery/\(secondID)/confirm", method: .post)
            let late = try await Self.linkToken(harness, template: "password_reset", to: "ana.diaz@acme.test")
            harness.clock.advance(by: 3601)
            #expect(try await Self.post(client, "/api/v1/password-reset/\(late)", ["new_password": "Other-Teapot-18"]).errorCode == "link_expired")
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func forgotPassword_isRateLimitedPerName(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<7 { statuses.append(try await Self.post(client, "/api/v1/password-recovery", ["username": "x@acme.test"]).status) }
            #expect(statuses.prefix(5).allSatisfy { $0 == .ok } && statuses.suffix(2).allSatisfy { $0 == .tooManyRequests })
            #expect(try await Self.post(client, "/api/v1/password-recovery", ["username": "y@acme.test"]).status == .ok)
        }
    }
}
