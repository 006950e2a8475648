import Foundation
import GatehouseCore
import GatehouseHTTP
import GatehouseStorage
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Where people land after signing in on the page: the microphone check for an agent's first
/// sign-in, the apps splash page with the apps their roles allow, User Management or one app
/// as the tenant's `landing` setting says.
@Suite struct ContactCenterPageTests {
    static let password = LoginTests.password

    /// Signs `username` in through the login form; the answer (a redirect) and the session cookie.
    static func signIn(_ client: any TestClientProtocol, _ username: String, returnTo: String? = nil) async throws -> (TestResponse, String) {
        let page = try await client.execute(uri: "/login", method: .get)
        let csrf = try #require(page.cookie("gatehouse_csrf"))
        let token = String(csrf.dropFirst("gatehouse_csrf=".count))
        var body = "csrf_token=\(token)&username=\(username.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&password=\(password)"
        if let returnTo { body += "&return_to=\(returnTo.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
        let response = try await client.execute(uri: "/login", method: .post,
                                                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: csrf],
                                                body: ByteBuffer(string: body))
        #expect(response.status == .found, "\(response.text)")
        return (response, try #require(response.cookie(SessionCookieName.session)))
    }

    static func createApp(_ client: any TestClientProtocol, _ harness: Harness, _ name: String, roles: [String],
                          icon: String? = nil) async throws -> String {
        var body: [String: Any] = ["name": name, "url": "https://\(name.lowercased()).example.test/", "roles": roles]
        if let icon { body["icon"] = icon }
        let response = try await client.api(.post, "/api/v1/tenants/acme/apps", token: harness.adminToken, json: AccountFlowTests.json(body))
        #expect(response.status == .created, "\(response.text)")
        return response.object["id"] as? String ?? ""
    }

    static func createPerson(_ client: any TestClientProtocol, _ harness: Harness, _ email: String, roles: [String]) async throws {
        let response = try await AccountFlowTests.createUser(client, harness, ["email": email, "roles": roles, "password": password])
        #expect(response.status == .created, "\(response.text)")
    }

    @Test(arguments: TestDatabases.kinds)
    func anAgentsFirstSignIn_checksTheMicrophone_andTheResultIsKept(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await Self.createPerson(client, harness, "kim@acme.test", roles: ["agent"])
            let (first, session) = try await Self.signIn(client, "kim@acme.test")
            #expect(first.headers[.location] == "/account/microphone?next=/landing")
            let page = try await LoginTests.withSession(client, .get, "/account/microphone?next=/landing", cookie: session)
            #expect(page.status == .ok && page.text.contains(#"id="mic-check""#) && page.text.contains(#"src="/assets/microphone.js""#))
            #expect(page.text.contains(#"href="/landing" id="mic-continue""#))
            #expect(page.headers[.contentSecurityPolicy]?.contains("connect-src 'self'") == true)
            // Only local pages may follow the check.
            let foreign = try await LoginTests.withSession(client, .get, "/account/microphone?next=https://evil.test", cookie: session)
            #expect(foreign.text.contains(#"href="/account" id="mic-continue""#))

            let recorded = try await LoginTests.withSession(client, .put, "/api/v1/account/microphone-check", cookie: session,
                                                            json: #"{"result":"denied"}"#)
            #expect(recorded.status == .ok, "\(recorded.text)")
            // Recorded: the next sign-in goes straight on, to the apps page.
            let (second, _) = try await Self.signIn(client, "kim@acme.test")
            #expect(second.headers[.location] == "/apps")
            let again = try await LoginTests.withSession(client, .get, "/account/microphone", cookie: session)
            #expect(again.text.contains(#"id="last-check""#))
            let users = try await client.api(.get, "/api/v1/tenants/acme/users?q=kim", token: harness.adminToken)
            let kim = try #require((users.object["users"] as? [[String: Any]])?.first)
            #expect(kim["microphone_check_result"] as? String == "denied" && kim["microphone_checked_at"] is String)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func theAppsPage_showsOnlyTheAppsTheRolesAllow(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let desktop = try await Self.createApp(client, harness, "Desktop", roles: ["agent", "supervisor"], icon: "https://cdn.example.test/d.png")
            let designer = try await Self.createApp(client, harness, "Designer", roles: ["administrator"])
            try await Self.createPerson(client, harness, "sup@acme.test", roles: ["supervisor"])
            let (signedIn, session) = try await Self.signIn(client, "sup@acme.test")
            #expect(signedIn.headers[.location] == "/apps")
            let apps = try await LoginTests.withSession(client, .get, "/apps", cookie: session)
            #expect(apps.status == .ok)
            #expect(apps.text.contains(#"data-app-id="\#(desktop)""#) && apps.text.contains(#"href="https://desktop.example.test/""#))
            #expect(!apps.text.contains(designer) && !apps.text.contains("Designer"))
            #expect(apps.text.contains(#"id="my-account""#))
            // Icons of other sites are allowed on this page only.
            #expect(apps.headers[.contentSecurityPolicy]?.contains("img-src 'self' data: https:") == true)
            let account = try await LoginTests.withSession(client, .get, "/account", cookie: session)
            #expect(account.headers[.contentSecurityPolicy]?.contains("img-src 'self' data:;") == true)
            #expect(try await client.execute(uri: "/apps", method: .get).headers[.location] == "/login?return_to=/apps")
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func theLandingSetting_sendsAdministratorsToUserManagement_andAgentsToOneApp(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let desktop = try await Self.createApp(client, harness, "Desktop", roles: ["agent"])
            try await LoginTests.patchSettings(client, harness, #"{"landing":{"administrator":"console","agent":"app:\#(desktop)"}}"#)
            try await Self.createPerson(client, harness, "boss@acme.test", roles: ["administrator", "agent"])
            try await Self.createPerson(client, harness, "kim@acme.test", roles: ["agent"])
            let (admin, adminSession) = try await Self.signIn(client, "boss@acme.test")
            // The highest role decides; an administrator who is also an agent still checks the microphone first.
            #expect(admin.headers[.location] == "/account/microphone?next=/landing")
            let landing = try await LoginTests.withSession(client, .get, "/landing", cookie: adminSession)
            #expect(landing.status == .found && landing.headers[.location] == "/admin/users")
            let console = try await LoginTests.withSession(client, .get, "/admin/users?q=kim", cookie: adminSession)
            #expect(console.status == .ok && console.text.contains("kim@acme.test") && !console.text.contains("boss@acme.test"))

            let (_, agentSession) = try await Self.signIn(client, "kim@acme.test")
            let agentLanding = try await LoginTests.withSession(client, .get, "/landing", cookie: agentSession)
            // Another site opens from a page of ours: a sign-in form's redirects may not leave the site.
            #expect(agentLanding.status == .ok && agentLanding.text.contains(#"content="0; url=https://desktop.example.test/""#))
            #expect(try await LoginTests.withSession(client, .get, "/admin/users", cookie: agentSession).status == .forbidden)
            // A return_to still wins over the landing page.
            _ = try await LoginTests.withSession(client, .put, "/api/v1/account/microphone-check", cookie: agentSession,
                                                 json: #"{"result":"allowed"}"#)
            let (later, _) = try await Self.signIn(client, "kim@acme.test")
            #expect(later.headers[.location] == "/landing")
            let (back, _) = try await Self.signIn(client, "kim@acme.test", returnTo: "/account/security")
            #expect(back.headers[.location] == "/account/security")
        }
    }
}
