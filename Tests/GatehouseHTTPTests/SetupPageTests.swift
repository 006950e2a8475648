import Foundation
import GatehouseCore
import GatehouseHTTP
import GatehouseStorage
import GatehouseTesting
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct SetupPageTests {
    /// Runs on an empty database, as a fresh install is.
    static func run(_ kind: DatabaseKind, _ body: @Sendable (String, any TestClientProtocol) async throws -> Void) async throws {
        try await TestDatabases.withDatabase(kind) { database in
            let clock = FixedClock()
            let setup = FirstRunSetup(tenants: SQLTenantRepository(database: database), setup: SQLSetupRepository(database: database),
                                      clock: clock, random: SystemRandomSource())
            let link = try #require(try await setup.issueLinkIfNeeded())
            let router = try await buildRouter(configuration: ServerConfiguration(),
                                               dependencies: ApplicationDependencies(database: database, clock: clock,
                                                                                     passwordHasher: PlainTestHasher(), masterKey: .testKey))
            try await Application(router: router).test(.router) { client in try await body(link, client) }
        }
    }

    static func form(_ fields: [String: String]) -> ByteBuffer {
        var components = URLComponents()
        components.queryItems = fields.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return ByteBuffer(string: components.percentEncodedQuery!.replacingOccurrences(of: "+", with: "%2B"))
    }

    static func post(_ client: any TestClientProtocol, cookie: String?, _ fields: [String: String]) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: "/setup", method: .post, headers: headers, body: form(fields))
    }

    static let valid = ["tenant_slug": "acme", "tenant_name": "Acme Contact Center", "region": "eu", "email": "ana@acme.test",
                        "first_name": "Ana", "last_name": "Diaz", "password": "Blue-Kettle-42"]

    @Test(arguments: TestDatabases.kinds)
    func setup_createsTenantAndAdministrator_once(_ kind: DatabaseKind) async throws {
        try await Self.run(kind) { link, client in
            let page = try await client.execute(uri: "/setup?token=\(link)", method: .get)
            #expect(page.status == .ok)
            let setCookie = try #require(page.headers[.setCookie])
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
            let csrf = String(setCookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1)[1])
            #expect(page.text.contains(#"name="csrf_token" value="\#(csrf)""#))
            let cookie = "gatehouse_csrf=\(csrf)"

            // Without the CSRF pair nothing happens.
            let forged = try await Self.post(client, cookie: nil, Self.valid.merging(["token": link, "csrf_token": csrf]) { $1 })
            #expect(forged.status == .forbidden)

            // Bad fields: every one is named on the page, and the link still works.
            let bad = try await Self.post(client, cookie: cookie, ["token": link, "csrf_token": csrf, "tenant_slug": "Acme!",
                                                                   "tenant_name": "", "email": "x", "first_name": "A", "last_name": "D",
                                                                   "password": "short"])
            #expect(bad.status == .badRequest)
            for id in ["tenant_slug-error", "tenant_name-error", "email-error", "password-error"] {
                #expect(bad.text.range(of: #"id="\#(id)">[^<]+<"#, options: .regularExpression) != nil, "\(id)")
            }

            let done = try await Self.post(client, cookie: cookie, Self.valid.merging(["token": link, "csrf_token": csrf]) { $1 })
            #expect(done.status == .ok)
            let token = try #require(done.text.firstMatch(of: /id="api-token">(gh_[A-Za-z0-9_-]+)</)?.1)
            let users = try await client.api(.get, "/api/v1/tenants/acme/users", token: String(token))
            #expect(users.status == .ok)
            let admin = try #require((users.object["users"] as? [[String: Any]])?.first)
            #expect(admin["email"] as? String == "ana@acme.test")
            #expect(admin["roles"] as? [String] == ["administrator"])

            let again = try await Self.post(client, cookie: cookie, Self.valid.merging(["token": link, "csrf_token": csrf, "tenant_slug": "other"]) { $1 })
            #expect(again.status == .gone)
            #expect(try await client.execute(uri: "/setup?token=\(link)", method: .get).status == .gone)
            #expect(try await client.execute(uri: "/setup", method: .get).status == .gone)
        }
    }
}
