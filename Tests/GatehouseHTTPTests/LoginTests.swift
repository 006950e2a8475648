import Foundation
import GatehouseCore
import GatehouseHTTP
import GatehouseStorage
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Sign-in, sessions and their policies, driven through the router with a fixed clock so that
/// timeouts and lockouts are tested without sleeping.
@Suite struct LoginTests {
    static let password = "Blue-Kettle-42"

    /// Creates `email` in acme with a password (through the admin API) and returns its id.
    @discardableResult
    static func createUser(_ client: any TestClientProtocol, _ harness: Harness, _ email: String, agentID: String? = nil,
                           status: String = "active") async throws -> String {
        var body: [String: Any] = ["email": email, "first_name": "Sam", "last_name": "Jones", "roles": ["agent"],
                                   "password": password, "status": status]
        if let agentID { body["agent_id"] = agentID }
        let response = try await client.api(.post, "/api/v1/tenants/acme/users", token: harness.adminToken,
                                            json: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        #expect(response.status == .created, "\(response.text)")
        return response.object["id"] as? String ?? ""
    }

    static func login(_ client: any TestClientProtocol, _ json: String, cookie: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: "/api/v1/login", method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    static func login(_ client: any TestClientProtocol, email: String, password: String = password) async throws -> TestResponse {
        try await login(client, #"{"username":"\#(email)","password":"\#(password)"}"#)
    }

    static func withSession(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, cookie: String,
                            json: String? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        headers[.cookie] = cookie
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    static func patchSettings(_ client: any TestClientProtocol, _ harness: Harness, _ json: String) async throws {
        let response = try await client.api(.patch, "/api/v1/tenants/acme/settings", token: harness.adminToken, json: json)
        #expect(response.status == .ok, "\(response.text)")
    }

    @Test(arguments: TestDatabases.kinds)
    func signIn_byEmailOrAgentID_setsAFreshHttpOnlyCookie(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await Self.createUser(client, harness, "sam@acme.test", agentID: "1001")
            let byEmail = try await Self.login(client, email: "SAM@acme.test")
            #expect(byEmail.status == .ok)
            #expect(byEmail.object["status"] as? String == "signed_in")
            #expect((byEmail.object["tenant"] as? [String: Any])?["slug"] as? String == "acme")
            let setCookie = try #require(byEmail.headers[.setCookie])
            #expect(setCookie.hasPrefix("gatehouse_session=") && setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax"))
            #expect(!setCookie.contains("Max-Age"))
            let cookie = try #require(byEmail.cookie(SessionCookieName.session))

            let byAgent = try await Self.login(client, #"{"agent_id":1001,"tenant":"acme","password":"\#(Self.password)","keep_signed_in":true}"#,
                                               cookie: cookie)
            #expect(byAgent.status == .ok)
            #expect(byAgent.headers[.setCookie]?.contains("Max-Age=7776000") == true)
            let second = try #require(byAgent.cookie(SessionCookieName.session))
            #expect(second != cookie)
            // Signing in again from the same browser ends its previous session.
            #expect(try await Self.withSession(client, .get, "/api/v1/session", cookie: cookie).status == .unauthorized)
            let me = try await Self.withSession(client, .get, "/api/v1/session", cookie: second)
            #expect(me.status == .ok)
            #expect((me.object["user"] as? [String: Any])?["email"] as? String == "sam@acme.test")
            #expect((me.object["session"] as? [String: Any])?["persistent"] as? Bool == true)
            // Only a digest of the secret is stored.
            let stored = try await harness.database.read { db in
                try await db.raw("SELECT secret_digest FROM sessions").all().map { try $0.decode(column: "secret_digest", as: String.self) }
            }
            #expect(!stored.contains(where: { second.hasSuffix($0) }))
            #expect(stored.contains(SecretToken.digest(of: String(second.dropFirst("gatehouse_session=".count)))))
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func unknownUser_wrongPassword_andDisabledUser_lookTheSame(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await Self.createUser(client, harness, "sam@acme.test")
            try await Self.createUser(client, harness, "off@acme.test", status: "disabled")
            let answers = [
                try await Self.login(client, email: "nobody@acme.test"),
                try await Self.login(client, email: "sam@acme.test", password: "Wrong-Kettle-42"),
                try await Self.login(client, email: "off@acme.test"),
                try await Self.login(client, #"{"agent_id":"999","tenant":"acme","password":"x"}"#),
                try await Self.login(client, #"{"agent_id":"999","tenant":"nowhere","password":"x"}"#),
            ]
            for answer in answers {
                #expect(answer.status == .unauthorized)
                #expect(answer.text == answers[0].text)
                #expect(answer.headers[.setCookie] == nil)
            }
            #expect(answers[0].errorCode == "invalid_credentials")
            let missing = try await Self.login(client, #"{"agent_id":"1"}"#)
            #expect(missing.fieldNames == ["tenant", "password"])
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func lockout_startsAfterTheFifthFailure_forKnownAndUnknownNamesAlike(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let id = try await Self.createUser(client, harness, "sam@acme.test")
            for email in ["sam@acme.test", "ghost@acme.test"] {
                for _ in 1...5 { #expect(try await Self.login(client, email: email, password: "Wrong-1a").status == .unauthorized) }
                let locked = try await Self.login(client, email: email)
                #expect(locked.status == .tooManyRequests)
                #expect(locked.errorCode == "too_many_attempts")
                #expect(locked.headers[.retryAfter] == "900")
            }
            harness.clock.advance(by: 899)
            #expect(try await Self.login(client, email: "sam@acme.test").status == .tooManyRequests)
            // An unknown name of the tenant's domain follows the tenant's own lockout setting,
            // exactly as a real colleague's would.
            try await Self.patchSettings(client, harness, #"{"lockout":{"max_failures":2}}"#)
            for email in ["al@acme.test", "nobody@acme.test"] {
                let statuses = try await (1...3).asyncMap { _ in try await Self.login(client, email: email, password: "Wrong-1a").status }
                #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests], "\(email)")
            }
            try await Self.patchSettings(client, harness, #"{"lockout":{"max_failures":5}}"#)
            harness.clock.advance(by: 2)
            #expect(try await Self.login(client, email: "sam@acme.test").status == .ok)

            // An administrator can lift a lock before it runs out.
            for _ in 1...6 { _ = try await Self.login(client, email: "sam@acme.test", password: "Wrong-1a") }
            #expect(try await Self.login(client, email: "sam@acme.test").status == .tooManyRequests)
            let unlock = try await client.api(.post, "/api/v1/tenants/acme/users/\(id)/unlock", token: harness.adminToken)
            #expect(unlock.status == .noContent)
            #expect(try await Self.login(client, email: "sam@acme.test").status == .ok)

            let events = try await harness.database.read { db in
                try await db.raw("SELECT action, outcome FROM audit_events WHERE action IN ('login.password', 'account.lock', 'account.unlock')")
                    .all().map { "\(try $0.decode(column: "action", as: String.self)):\(try $0.decode(column: "outcome", as: String.self))" }
            }
            #expect(events.filter { $0 == "account.lock:success" }.count == 5)
            #expect(events.contains("account.unlock:success"))
            #expect(events.filter { $0 == "login.password:success" }.count == 2)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func sessions_endWhenIdle_orAtTheAbsoluteLimit(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await Self.createUser(client, harness, "sam@acme.test")
            try await Self.patchSettings(client, harness, #"{"session_policy":{"idle_timeout_seconds":60,"absolute_timeout_seconds":150}}"#)
            let cookie = try #require(try await Self.login(client, email: "sam@acme.test").cookie(SessionCookieName.session))
            for _ in 0..<2 {
                harness.clock.advance(by: 50)   // activity within the idle window keeps it alive
                #expect(try await Self.withSession(client, .get, "/api/v1/session", cookie: cookie).status == .ok)
            }
            harness.clock.advance(by: 50)       // 150 s after sign-in: the absolute limit
            #expect(try await Self.withSession(client, .get, "/api/v1/session", cookie: cookie).status == .unauthorized)

            let idle = try #require(try await Self.login(client, email: "sam@acme.test").cookie(SessionCookieName.session))
            harness.clock.advance(by: 61)
            #expect(try await Self.withSession(client, .get, "/api/v1/session", cookie: idle).status == .unauthorized)
            // The page the user was on sends them to sign in, saying why, and back afterwards.
            let page = try await Self.withSession(client, .get, "/account?tab=security", cookie: idle)
            #expect(page.status == .found)
            #expect(page.headers[.location] == "/login?return_to=/account?tab%3Dsecurity")
            let login = try await Self.withSession(client, .get, "/login?return_to=%2Faccount", cookie: idle)
            #expect(login.text.contains("signed out after a period without activity"))
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func concurrentLimit_refusesOrEndsTheOldest(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await Self.createUser(client, harness, "sam@acme.test")
            try await Self.patchSettings(client, harness, #"{"session_policy":{"max_concurrent_sessions":1}}"#)
            let first = try #require(try await Self.login(client, email: "sam@acme.test").cookie(SessionCookieName.session))
            let refused = try await Self.login(client, email: "sam@acme.test")
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "session_limit_reached")
            #expect(try await Self.withSession(client, .get, "/api/v1/session", cookie: first).status == .ok)

            try await Self.patchSettings(client, harness, #"{"session_policy":{"on_limit":"end_oldest"}}"#)
            let second = try #require(try await Self.login(client, email: "sam@acme.test").cookie(SessionCookieName.session))
            #expect(try await Self.withSession(client, .get, "/api/v1/session", cookie: first).status == .unauthorized)
            #expect(try await Self.withSession(client, .get, "/api/v1/session", cookie: second).status == .ok)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func passwordChange_appliesThePolicy_andEndsOtherSessions(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await Self.createUser(client, harness, "sam@acme.test")
            let here = try #require(try await Self.login(client, email: "sam@acme.test").cookie(SessionCookieName.session))
            let elsewhere = try #require(try await Self.login(client, email: "sam@acme.test").cookie(SessionCookieName.session))
            func change(_ old: String, _ new: String) async throws -> TestResponse {
                try await Self.withSession(client, .post, "/api/v1/password", cookie: here,
                                           json: #"{"current_password":"\#(old)","new_password":"\#(new)"}"#)
            }
            let weak = try await change(Self.password, "sam")
            #expect(weak.errorCode == "password_policy")
            #expect(weak.object["violations"] as? [String] == ["too_short", "contains_first_name", "contains_username", "too_few_character_classes"])
            #expect(try await change("Not-It-99", "Green-Teapot-7").errorCode == "invalid_current_password")
            #expect(try await change(Self.password, Self.password).object["violations"] as? [String] == ["reused"])

            var current = Self.password
            for index in 1...5 {
                let next = "Green-Teapot-\(index)"
                #expect(try await change(current, next).status == .noContent)
                current = next
            }
            #expect(try await Self.withSession(client, .get, "/api/v1/session", cookie: here).status == .ok)
            #expect(try await Self.withSession(client, .get, "/api/v1/session", cookie: elsewhere).status == .unauthorized)
            // The last five (current included) are refused; the sixth-oldest is allowed again.
            for old in ["Green-Teapot-1", "Green-Teapot-5"] {
                #expect(try await change(current, old).object["violations"] as? [String] == ["reused"])
            }
            #expect(try await change(current, Self.password).status == .noContent)
            #expect(try await Self.login(client, email: "sam@acme.test").status == .ok)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func signOut_andSignOutEverywhere(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await Self.createUser(client, harness, "sam@acme.test")
            let a = try #require(try await Self.login(client, email: "sam@acme.test").cookie(SessionCookieName.session))
            let b = try #require(try await Self.login(client, email: "sam@acme.test").cookie(SessionCookieName.session))
            let c = try #require(try await Self.login(client, email: "sam@acme.test").cookie(SessionCookieName.session))
            let list = try await Self.withSession(client, .get, "/api/v1/sessions", cookie: a)
            let sessions = try #require(list.object["sessions"] as? [[String: Any]])
            #expect(sessions.count == 3)
            #expect(sessions.filter { $0["current"] as? Bool == true }.count == 1)
            let out = try await Self.withSession(client, .delete, "/api/v1/session", cookie: a)
            #expect(out.status == .noContent)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await Self.withSession(client, .get, "/api/v1/session", cookie: a).status == .unauthorized)
            #expect(try await Self.withSession(client, .delete, "/api/v1/sessions", cookie: b).status == .noContent)
            for cookie in [b, c] {
                #expect(try await Self.withSession(client, .get, "/api/v1/session", cookie: cookie).status == .unauthorized)
            }
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func settings_validateEveryField_andAdministratorsMayUseTheirSession(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let defaults = try await client.api(.get, "/api/v1/tenants/acme/settings", token: harness.adminToken)
            #expect((defaults.object["lockout"] as? [String: Any])?["max_failures"] as? Int == 5)
            let bad = try await client.api(.patch, "/api/v1/tenants/acme/settings", token: harness.adminToken,
                                           json: #"{"session_policy":{"idle_timeout_seconds":-1},"password_policy":{"history":"all"},"nope":{}}"#)
            #expect(bad.fieldNames == ["session_policy.idle_timeout_seconds", "password_policy.history", "nope"])
            #expect(try await client.api(.get, "/api/v1/tenants/acme/settings", token: harness.adminToken).text == defaults.text)
            #expect(try await client.api(.get, "/api/v1/tenants/acme/settings", token: harness.agentToken).status == .forbidden)

            // An administrator signed in with a browser can use the admin API with the cookie,
            // but not from a page of another site.
            let adminID = try await Self.createUser(client, harness, "boss@acme.test")
            _ = try await client.api(.patch, "/api/v1/tenants/acme/users/\(adminID)", token: harness.adminToken, json: #"{"roles":["administrator"]}"#)
            let cookie = try #require(try await Self.login(client, email: "boss@acme.test").cookie(SessionCookieName.session))
            #expect(try await Self.withSession(client, .get, "/api/v1/tenants/acme/users", cookie: cookie).status == .ok)
            let sameSite = try await Self.withSession(client, .patch, "/api/v1/tenants/acme/settings", cookie: cookie,
                                                      json: #"{"lockout":{"max_failures":3}}"#)
            #expect(sameSite.status == .ok)
            let crossSite = try await Self.withSession(client, .patch, "/api/v1/tenants/acme/settings", cookie: cookie,
                                                       json: #"{"lockout":{"max_failures":9}}"#, headers: [.origin: "https://evil.test"])
            #expect(crossSite.status == .forbidden)
            #expect(crossSite.errorCode == "cross_origin")
            // The same holds for the person's own session routes and for signing in.
            let ownCrossSite = try await Self.withSession(client, .delete, "/api/v1/sessions", cookie: cookie,
                                                          headers: [.origin: "http://evil.test"])
            #expect(ownCrossSite.errorCode == "cross_origin")
            #expect(try await Self.withSession(client, .get, "/api/v1/session", cookie: cookie).status == .ok)
            let forcedLogin = try await client.execute(uri: "/api/v1/login", method: .post,
                                                       headers: [.contentType: "application/json", .origin: "null"],
                                                       body: ByteBuffer(string: #"{"username":"boss@acme.test","password":"\#(Self.password)"}"#))
            #expect(forcedLogin.errorCode == "cross_origin")
            let untyped = try await client.execute(uri: "/api/v1/password", method: .post, headers: [.cookie: cookie],
                                                   body: ByteBuffer(string: #"{"current_password":"x","new_password":"y"}"#))
            #expect(untyped.status == .unsupportedMediaType)
            #expect((try await client.api(.get, "/api/v1/tenants/acme/settings", token: harness.adminToken).object["lockout"] as? [String: Any])?["max_failures"] as? Int == 3)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func loginPage_signsIn_andHonoursOnlyLocalReturnPaths(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await Self.createUser(client, harness, "sam@acme.test", agentID: "2002")
            let guarded = try await client.execute(uri: "/account", method: .get)
            #expect(guarded.status == .found)
            #expect(guarded.headers[.location] == "/login?return_to=/account")
            let page = try await client.execute(uri: "/login?tenant=acme&return_to=/account", method: .get)
            #expect(page.text.contains("Email or agent ID"))
            let csrf = try #require(page.cookie("gatehouse_csrf"))
            let token = String(csrf.dropFirst("gatehouse_csrf=".count))
            func submit(_ fields: String, cookie: String? = csrf) async throws -> TestResponse {
                var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                if let cookie { headers[.cookie] = cookie }
                return try await client.execute(uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: fields))
            }
            #expect(try await submit("csrf_token=\(token)&username=2002&password=\(Self.password)&tenant=acme", cookie: nil).status == .forbidden)
            let wrong = try await submit("csrf_token=\(token)&username=2002&password=nope&tenant=acme")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains(#"id="login-error""#))
            let ok = try await submit("csrf_token=\(token)&username=2002&password=\(Self.password)&tenant=acme&return_to=%2Faccount%3Ftab%3D1&remember_me=on")
            #expect(ok.status == .found)
            // An agent's first sign-in checks the microphone first, then goes where they asked.
            #expect(ok.headers[.location] == "/account/microphone?next=/account%3Ftab%3D1")
            let session = try #require(ok.cookie(SessionCookieName.session))
            #expect(ok.headers[values: .setCookie].contains { $0.hasPrefix("gatehouse_username=") && $0.contains("Path=/login") })
            let account = try await Self.withSession(client, .get, "/account", cookie: session)
            #expect(account.text.contains("sam@acme.test"))
            #expect(try await Self.withSession(client, .get, "/login", cookie: "gatehouse_username=" + Base64URL.encode(Array("2002".utf8))).text
                .contains(#"value="2002""#))

            for foreign in ["https%3A%2F%2Fevil.test", "%2F%2Fevil.test", "%2F%5Cevil.test", "%2F%252F%252Fevil.test", "javascript%3Aalert(1)"] {
                let response = try await submit("csrf_token=\(token)&username=sam%40acme.test&password=\(Self.password)&return_to=\(foreign)")
                #expect(response.headers[.location] == "/account/microphone?next=/landing", "\(foreign)")
            }
        }
    }
}

enum SessionCookieName {
    static let session = "gatehouse_session"
}

extension TestResponse {
    /// `name=value` of a cookie this response sets.
    func cookie(_ name: String) -> String? {
        headers[values: .setCookie].first { $0.hasPrefix(name + "=") }.map { String($0.split(separator: ";")[0]) }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
