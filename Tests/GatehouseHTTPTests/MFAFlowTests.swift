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

/// Authenticator apps through the router, with the fixed clock driving both the server's time
/// steps and the codes the "app" computes.
@Suite struct MFAFlowTests {
    static let password = LoginTests.password

    static func code(_ secret: String, _ clock: FixedClock, offset: Int64 = 0) -> String {
        TOTP.code(secret: Base32.decode(secret)!, step: TOTP.step(at: clock.now(), period: 30) + offset, parameters: .standard)
    }

    static func cookie(_ response: TestResponse) throws -> String {
        try #require(response.headers[.setCookie]?.split(separator: ";").first.map(String.init))
    }

    /// Signs `email` in (no MFA yet), enrols a device named `name`; returns the secret and the recovery codes.
    static func enroll(_ client: any TestClientProtocol, _ harness: Harness, _ email: String, name: String = "Work phone")
        async throws -> (secret: String, codes: [String]) {
        let session = try cookie(try await LoginTests.login(client, email: email))
        let started = try await LoginTests.withSession(client, .post, "/api/v1/mfa/totp", cookie: session, json: #"{"device_name":"\#(name)"}"#)
        #expect(started.status == .created, "\(started.text)")
        let secret = try #require(started.object["secret"] as? String)
        let uri = try #require(started.object["otpauth_uri"] as? String)
        #expect(uri.hasPrefix("otpauth://totp/acme:") && uri.contains("secret=\(secret)"))
        #expect((started.object["qr_svg"] as? String)?.hasPrefix("<svg") == true)
        let id = try #require(started.object["enrollment_id"] as? String)
        let wrong = try await LoginTests.withSession(client, .post, "/api/v1/mfa/totp/\(id)/verify", cookie: session, json: #"{"code":"000000"}"#)
        #expect(wrong.status == .badRequest && wrong.errorCode == "invalid_code")
        let verified = try await LoginTests.withSession(client, .post, "/api/v1/mfa/totp/\(id)/verify", cookie: session,
                                                         json: #"{"code":"\#(code(secret, harness.clock))"}"#)
        #expect(verified.status == .ok, "\(verified.text)")
        harness.clock.advance(by: 30)   // the enrolment code's step is spent
        return (secret, verified.object["recovery_codes"] as? [String] ?? [])
    }

    static func mfa(_ client: any TestClientProtocol, _ flow: String, _ json: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/login/\(flow)/mfa", method: .post, headers: [.contentType: "application/json"],
                                 body: ByteBuffer(string: json))
    }

    @Test(arguments: TestDatabases.kinds)
    func aDevice_isAskedFor_codesWorkOnce_andRecoveryCodesToo(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await LoginTests.createUser(client, harness, "sam@acme.test")
            let (secret, codes) = try await Self.enroll(client, harness, "sam@acme.test")
            #expect(codes.count == 10 && Set(codes).count == 10 && codes.allSatisfy { $0.count == 11 && $0.contains("-") })

            let first = try await LoginTests.login(client, email: "sam@acme.test")
            #expect(first.status == .ok && first.object["status"] as? String == "mfa_required", "\(first.text)")
            #expect(first.headers[.setCookie]?.contains("gatehouse_session") != true)
            let flow = try #require(first.object["flow_id"] as? String)
            let code = Self.code(secret, harness.clock)
            let signedIn = try await Self.mfa(client, flow, #"{"code":"\#(code)"}"#)
            #expect(signedIn.status == .ok && signedIn.object["status"] as? String == "signed_in", "\(signedIn.text)")
            #expect(signedIn.headers[.setCookie]?.contains("gatehouse_session=") == true)

            // The same code in a new flow: refused. A code two steps old: refused.
            let again = try #require(try await LoginTests.login(client, email: "sam@acme.test").object["flow_id"] as? String)
            #expect(try await Self.mfa(client, again, #"{"code":"\#(code)"}"#).errorCode == "invalid_code")
            harness.clock.advance(by: 30)
            #expect(try await Self.mfa(client, again, #"{"code":"\#(Self.code(secret, harness.clock, offset: -2))"}"#).errorCode == "invalid_code")
            #expect(try await Self.mfa(client, again, #"{"code":"\#(Self.code(secret, harness.clock))"}"#).status == .ok)

            // A recovery code works once.
            let byCode = try #require(try await LoginTests.login(client, email: "sam@acme.test").object["flow_id"] as? String)
            #expect(try await Self.mfa(client, byCode, #"{"recovery_code":"\#(codes[0].uppercased())"}"#).status == .ok)
            let reuse = try #require(try await LoginTests.login(client, email: "sam@acme.test").object["flow_id"] as? String)
            #expect(try await Self.mfa(client, reuse, #"{"recovery_code":"\#(codes[0])"}"#).errorCode == "invalid_code")
            #expect(try await Self.mfa(client, reuse, #"{"recovery_code":"\#(codes[1])"}"#).status == .ok)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func fiveWrongCodes_endTheFlow_andCountTowardsTheLockout(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await LoginTests.createUser(client, harness, "sam@acme.test")
            let (secret, _) = try await Self.enroll(client, harness, "sam@acme.test")
            let flow = try #require(try await LoginTests.login(client, email: "sam@acme.test").object["flow_id"] as? String)
            let parallel = try #require(try await LoginTests.login(client, email: "sam@acme.test").object["flow_id"] as? String)
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<5 { statuses.append(try await Self.mfa(client, flow, #"{"code":"000000"}"#).status) }
            #expect(statuses == [.unauthorized, .unauthorized, .unauthorized, .unauthorized, .tooManyRequests])
            let dead = try await Self.mfa(client, flow, #"{"code":"\#(Self.code(secret, harness.clock))"}"#)
            #expect(dead.status == .gone && dead.errorCode == "flow_expired")
            // A second flow started before cannot go on guessing: the account is locked.
            let other = try await Self.mfa(client, parallel, #"{"code":"\#(Self.code(secret, harness.clock))"}"#)
            #expect(other.status == .tooManyRequests && other.headers[.retryAfter] != nil, "\(other.text)")
            // Those five wrong codes were five failures of the account: the next password is not even checked.
            let locked = try await LoginTests.login(client, email: "sam@acme.test")
            #expect(locked.status == .tooManyRequests, "\(locked.text)")
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func requiredMFA_enrolsInsideSignIn_optionalDoesNot_andRolesNarrowIt(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await LoginTests.createUser(client, harness, "sam@acme.test")
            #expect(try await LoginTests.login(client, email: "sam@acme.test").object["status"] as? String == "signed_in", "optional by default")
            try await LoginTests.patchSettings(client, harness, #"{"mfa_policy":"required","mfa_required_roles":["administrator"]}"#)
            #expect(try await LoginTests.login(client, email: "sam@acme.test").object["status"] as? String == "signed_in", "agents are not required")
            try await LoginTests.patchSettings(client, harness, #"{"mfa_required_roles":null}"#)
            let pending = try await LoginTests.login(client, email: "sam@acme.test")
            #expect(pending.object["status"] as? String == "mfa_enrollment_required", "\(pending.text)")
            #expect(pending.headers[.setCookie]?.contains("gatehouse_session") != true)
            let flow = try #require(pending.object["flow_id"] as? String)
            #expect(try await Self.mfa(client, flow, #"{"code":"123456"}"#).status == .gone, "the code step is not this flow's step")
            let started = try await client.execute(uri: "/api/v1/login/\(flow)/mfa/totp", method: .post, headers: [.contentType: "application/json"],
                                                   body: ByteBuffer(string: #"{"device_name":"Phone"}"#))
            #expect(started.status == .created, "\(started.text)")
            let secret = try #require(started.object["secret"] as? String), id = try #require(started.object["enrollment_id"] as? String)
            let done = try await client.execute(uri: "/api/v1/login/\(flow)/mfa/totp/\(id)/verify", method: .post,
                                                headers: [.contentType: "application/json"],
                                                body: ByteBuffer(string: #"{"code":"\#(Self.code(secret, harness.clock))"}"#))
            #expect(done.status == .ok && done.object["status"] as? String == "signed_in", "\(done.text)")
            #expect((done.object["recovery_codes"] as? [String])?.count == 10)
            #expect(done.headers[.setCookie]?.contains("gatehouse_session=") == true)
            harness.clock.advance(by: 30)
            #expect(try await LoginTests.login(client, email: "sam@acme.test").object["status"] as? String == "mfa_required")
            // An invitation accepted under the required policy goes to enrolment too, not straight in.
            _ = try await AccountFlowTests.createUser(client, harness, ["email": "new@acme.test", "invite": true])
            let token = try await AccountFlowTests.linkToken(harness, template: "invitation", to: "new@acme.test")
            let accepted = try await AccountFlowTests.post(client, "/api/v1/invitations/\(token)/accept", ["password": Self.password])
            #expect(accepted.object["status"] as? String == "mfa_enrollment_required", "\(accepted.text)")
            #expect(accepted.headers[.setCookie]?.contains("gatehouse_session") != true)
            // Off: nobody is asked, devices or not.
            try await LoginTests.patchSettings(client, harness, #"{"mfa_policy":"off"}"#)
            #expect(try await LoginTests.login(client, email: "sam@acme.test").object["status"] as? String == "signed_in")
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func removingADevice_needsARecentPassword_andAdministratorsCanReset(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let id = try await LoginTests.createUser(client, harness, "sam@acme.test")
            let (secret, _) = try await Self.enroll(client, harness, "sam@acme.test")
            let flow = try #require(try await LoginTests.login(client, email: "sam@acme.test").object["flow_id"] as? String)
            let session = try Self.cookie(try await Self.mfa(client, flow, #"{"code":"\#(Self.code(secret, harness.clock))"}"#))
            let devices = try await LoginTests.withSession(client, .get, "/api/v1/mfa/devices", cookie: session)
            let device = try #require((devices.object["devices"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(devices.object["recovery_codes_left"] as? Int == 10)

            harness.clock.advance(by: 301)
            let stale = try await LoginTests.withSession(client, .delete, "/api/v1/mfa/devices/\(device)", cookie: session)
            #expect(stale.status == .forbidden && stale.errorCode == "reauthentication_required", "\(stale.text)")
            let wrong = try await LoginTests.withSession(client, .post, "/api/v1/session/reauthenticate", cookie: session, json: #"{"password":"nope-Nope-1"}"#)
            #expect(wrong.status == .badRequest)
            #expect(try await LoginTests.withSession(client, .post, "/api/v1/session/reauthenticate", cookie: session,
                                                     json: #"{"password":"\#(Self.password)"}"#).status == .noContent)
            #expect(try await LoginTests.withSession(client, .delete, "/api/v1/mfa/devices/\(device)", cookie: session).status == .noContent)
            #expect(try await LoginTests.login(client, email: "sam@acme.test").object["status"] as? String == "signed_in")

            // An administrator's reset removes devices and codes and emails the person.
            _ = try await Self.enroll(client, harness, "sam@acme.test")
            let reset = try await client.api(.post, "/api/v1/tenants/acme/users/\(id)/mfa/reset", token: harness.adminToken)
            #expect(reset.status == .ok && reset.object["devices_removed"] as? Int == 1, "\(reset.text)")
            #expect(try await LoginTests.login(client, email: "sam@acme.test").object["status"] as? String == "signed_in")
            #expect(try await AccountFlowTests.mails(harness).first?.template == "mfa_reset")
            #expect(try await client.api(.post, "/api/v1/tenants/acme/users/\(id)/mfa/reset", token: harness.agentToken).status == .forbidden)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func theDatabaseHoldsNoPlainSecretOrCode(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await LoginTests.createUser(client, harness, "sam@acme.test")
            let (secret, codes) = try await Self.enroll(client, harness, "sam@acme.test")
            let raw = Base32.decode(secret)!
            let forms = [secret, secret.lowercased(), raw.map { String(format: "%02x", $0) }.joined(), Data(raw).base64EncodedString()]
                + codes + codes.map { $0.replacingOccurrences(of: "-", with: "") }
            let rows = try await harness.database.read { db in
                var text: [String] = []
                for table in ["mfa_devices", "mfa_recovery_codes", "audit_events", "outbox"] {
                    for row in try await db.raw("SELECT * FROM \(unsafeRaw: table)").all() {
                        for column in row.allColumns { text.append((try? row.decode(column: column, as: String?.self)) .flatMap { $0 } ?? "") }
                    }
                }
                return text.joined(separator: "\n")
            }
            #expect(rows.contains("Work phone"), "the scan did read the device rows")
            for form in forms { #expect(!rows.contains(form), "found \(form) in the database") }
        }
    }
}
