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

/// The sign-in gate: a member holding a role of `presence_gate_roles` without a Presence Reason
/// list gets no session, whichever way the sign-in ends — and only after the right password.
@Suite struct PresenceGateTests {
    static let password = LoginTests.password
    static let refusal: [String: String] = ["error": "presence_reason_list_required",
                                            "message": "You need a Presence Reason list. Contact your administrator."]

    /// The answer is exactly the documented refusal, with no session cookie.
    static func expectRefused(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == .forbidden, "\(response.text)", sourceLocation: sourceLocation)
        #expect(response.object as? [String: String] == refusal, "\(response.text)", sourceLocation: sourceLocation)
        #expect(response.headers[.setCookie]?.contains("gatehouse_session=") != true, sourceLocation: sourceLocation)
    }

    static func sessions(of email: String, _ harness: Harness) async throws -> Int {
        try await harness.database.read { db in
            try await db.raw("""
                SELECT COUNT(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email_key = \(bind: email)
                """).first()!.decode(column: "n", as: Int.self)
        }
    }

    static func refusals(of user: String, _ harness: Harness) async throws -> [String] {
        try await harness.database.read { db in
            try await db.raw("""
                SELECT outcome, detail FROM audit_events WHERE action = 'login.password' AND actor_kind = 'user' AND actor_id = \(bind: user)
                AND detail LIKE '%presence_reason_list_required%'
                """).all().map { try $0.decode(column: "outcome", as: String.self) }
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func agentWithoutAList_getsNoSession_butOnlyAfterTheRightPassword(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let sam = try await LoginTests.createUser(client, harness, "sam@acme.test", agentID: "1001")
            try await PresenceReasonListTests.removeDefault(client, harness)

            let wrong = try await LoginTests.login(client, email: "sam@acme.test", password: "Wrong-Kettle-42")
            let unknown = try await LoginTests.login(client, email: "nobody@acme.test")
            #expect(wrong.status == .unauthorized && wrong.errorCode == "invalid_credentials")
            #expect(wrong.text == unknown.text, "a wrong password says nothing of the gate")

            Self.expectRefused(try await LoginTests.login(client, email: "sam@acme.test"))
            Self.expectRefused(try await LoginTests.login(client, #"{"agent_id":"1001","tenant":"acme","password":"\#(Self.password)"}"#))
            #expect(try await Self.sessions(of: "sam@acme.test", harness) == 0)
            let listed = try await client.api(.get, "/api/v1/tenants/acme/users/\(sam)/sessions", token: harness.adminToken)
            #expect((listed.object["sessions"] as? [Any])?.isEmpty == true, "\(listed.text)")
            #expect(try await Self.refusals(of: sam, harness) == ["failure", "failure"])

            // Roles outside the gate sign in as before.
            _ = try await AccountFlowTests.createUser(client, harness, ["email": "boss@acme.test", "roles": ["supervisor"], "password": Self.password])
            #expect(try await LoginTests.login(client, email: "boss@acme.test").status == .ok)

            // An empty gate lets everyone in; the gate can name other roles.
            try await LoginTests.patchSettings(client, harness, #"{"presence_gate_roles":[]}"#)
            #expect(try await LoginTests.login(client, email: "sam@acme.test").status == .ok)
            try await LoginTests.patchSettings(client, harness, #"{"presence_gate_roles":["supervisor"]}"#)
            #expect(try await LoginTests.login(client, email: "sam@acme.test").status == .ok)
            Self.expectRefused(try await LoginTests.login(client, email: "boss@acme.test"))
            try await LoginTests.patchSettings(client, harness, #"{"presence_gate_roles":null}"#)
            Self.expectRefused(try await LoginTests.login(client, email: "sam@acme.test"))

            // An assigned list lets the member in; so does a tenant default.
            let night = try await PresenceReasonListTests.createList(client, harness, "Night")
            let assigned = try await client.api(.patch, "/api/v1/tenants/acme/users/\(sam)", token: harness.adminToken,
                                                json: AccountFlowTests.json(["presence_reason_list_id": night]))
            #expect(assigned.status == .ok)
            #expect(try await LoginTests.login(client, email: "sam@acme.test").status == .ok)
            _ = try await client.api(.patch, "/api/v1/tenants/acme/users/\(sam)", token: harness.adminToken, json: #"{"presence_reason_list_id":null}"#)
            Self.expectRefused(try await LoginTests.login(client, email: "sam@acme.test"))
            _ = try await PresenceReasonListTests.patch(client, harness, night, ["is_default": true])
            #expect(try await LoginTests.login(client, email: "sam@acme.test").status == .ok)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func theGate_comesAfterTheCodeStep_andEndsTheFlow(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await LoginTests.createUser(client, harness, "sam@acme.test")
            let (secret, _) = try await MFAFlowTests.enroll(client, harness, "sam@acme.test")
            try await PresenceReasonListTests.removeDefault(client, harness)
            let before = try await Self.sessions(of: "sam@acme.test", harness)

            let first = try await LoginTests.login(client, email: "sam@acme.test")
            #expect(first.object["status"] as? String == "mfa_required", "the gate waits until the code: \(first.text)")
            let flow = try #require(first.object["flow_id"] as? String)
            Self.expectRefused(try await MFAFlowTests.mfa(client, flow, #"{"code":"\#(MFAFlowTests.code(secret, harness.clock))"}"#))
            harness.clock.advance(by: 30)
            let again = try await MFAFlowTests.mfa(client, flow, #"{"code":"\#(MFAFlowTests.code(secret, harness.clock))"}"#)
            #expect(again.status == .gone && again.errorCode == "flow_expired", "the flow was used up: \(again.text)")
            #expect(try await Self.sessions(of: "sam@acme.test", harness) == before)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func theGate_comesAfterATemporaryPasswordIsReplaced_andAfterRequiredEnrolment(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let created = try await AccountFlowTests.createUser(client, harness, ["email": "temp@acme.test", "temporary_password": true])
            let temporary = try #require(created.object["temporary_password"] as? String)
            try await PresenceReasonListTests.removeDefault(client, harness)
            let pending = try await AccountFlowTests.post(client, "/api/v1/login", ["username": "temp@acme.test", "password": temporary])
            #expect(pending.object["status"] as? String == "password_change_required", "\(pending.text)")
            let flow = try #require(pending.object["flow_id"] as? String)
            let changed = try await AccountFlowTests.post(client, "/api/v1/login/\(flow)/password", ["new_password": Self.password])
            Self.expectRefused(changed)
            let again = try await AccountFlowTests.post(client, "/api/v1/login/\(flow)/password", ["new_password": "Other-Kettle-43"])
            #expect(again.status == .gone, "\(again.text)")
            // The new password was kept: it is right (so the gate answers, not invalid_credentials).
            Self.expectRefused(try await LoginTests.login(client, email: "temp@acme.test"))
            #expect(try await Self.sessions(of: "temp@acme.test", harness) == 0)

            // Required enrolment inside the sign-in: the device is added, the session refused.
            try await LoginTests.patchSettings(client, harness, #"{"mfa_policy":"required"}"#)
            let enrol = try await LoginTests.login(client, email: "temp@acme.test")
            #expect(enrol.object["status"] as? String == "mfa_enrollment_required", "\(enrol.text)")
            let enrolFlow = try #require(enrol.object["flow_id"] as? String)
            let started = try await AccountFlowTests.post(client, "/api/v1/login/\(enrolFlow)/mfa/totp", ["device_name": "Phone"])
            let secret = try #require(started.object["secret"] as? String), id = try #require(started.object["enrollment_id"] as? String)
            let done = try await AccountFlowTests.post(client, "/api/v1/login/\(enrolFlow)/mfa/totp/\(id)/verify",
                                                       ["code": MFAFlowTests.code(secret, harness.clock)])
            Self.expectRefused(done)
            #expect(try await Self.sessions(of: "temp@acme.test", harness) == 0)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func anAcceptedInvitation_setsThePassword_butGetsNoSession(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await PresenceReasonListTests.removeDefault(client, harness)
            let invited = try await AccountFlowTests.createUser(client, harness, ["email": "jo@acme.test", "invite": true])
            let id = try #require(invited.object["id"] as? String)
            let token = try await AccountFlowTests.linkToken(harness, template: "invitation", to: "jo@acme.test")
            Self.expectRefused(try await AccountFlowTests.post(client, "/api/v1/invitations/\(token)/accept", ["password": Self.password]))
            let user = try await client.api(.get, "/api/v1/tenants/acme/users/\(id)", token: harness.adminToken)
            #expect(user.object["status"] as? String == "active")
            Self.expectRefused(try await LoginTests.login(client, email: "jo@acme.test"))
            #expect(try await Self.refusals(of: id, harness).count == 2)

            // The page says so in words, without a session.
            _ = try await AccountFlowTests.createUser(client, harness, ["email": "kim@acme.test", "invite": true])
            let pageToken = try await AccountFlowTests.linkToken(harness, template: "invitation", to: "kim@acme.test")
            let page = try await client.execute(uri: "/invitations/\(pageToken)", method: .get)
            let csrf = try #require(page.cookie("gatehouse_csrf"))
            let form = "csrf_token=\(csrf.dropFirst("gatehouse_csrf=".count))&password=\(Self.password)&password_confirm=\(Self.password)"
            let submitted = try await client.execute(uri: "/invitations/\(pageToken)", method: .post,
                                                     headers: [.contentType: "application/x-www-form-urlencoded", .cookie: csrf],
                                                     body: ByteBuffer(string: form))
            #expect(submitted.status == .forbidden)
            #expect(submitted.text.contains("Sign-in not possible") && submitted.text.contains(Self.refusal["message"]!), "\(submitted.text)")
            #expect(submitted.headers[.setCookie]?.contains("gatehouse_session=") != true)
            #expect(try await Self.sessions(of: "kim@acme.test", harness) == 0)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func theLoginPage_showsTheRefusal_with403(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await LoginTests.createUser(client, harness, "sam@acme.test")
            try await PresenceReasonListTests.removeDefault(client, harness)
            let page = try await client.execute(uri: "/login", method: .get)
            let csrf = try #require(page.cookie("gatehouse_csrf"))
            let form = "csrf_token=\(csrf.dropFirst("gatehouse_csrf=".count))&username=sam%40acme.test&password=\(Self.password)"
            let submitted = try await client.execute(uri: "/login", method: .post,
                                                     headers: [.contentType: "application/x-www-form-urlencoded", .cookie: csrf],
                                                     body: ByteBuffer(string: form))
            #expect(submitted.status == .forbidden)
            #expect(submitted.text.contains(Self.refusal["message"]!), "\(submitted.text)")
            #expect(!submitted.headers[values: .setCookie].contains { $0.hasPrefix("gatehouse_session=") && !$0.contains("Max-Age=0") })
            #expect(try await Self.sessions(of: "sam@acme.test", harness) == 0)
        }
    }
}
