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

/// The apps a tenant offers after sign-in, who sees which, and where each role lands.
@Suite struct AppsAPITests {
    static let apps = "/api/v1/tenants/acme/apps"

    static func create(_ client: any TestClientProtocol, _ harness: Harness, _ body: [String: Any]) async throws -> TestResponse {
        try await client.api(.post, apps, token: harness.adminToken, json: AccountFlowTests.json(body))
    }

    static func createApp(_ client: any TestClientProtocol, _ harness: Harness, _ name: String, roles: [String],
                          position: Int = 0) async throws -> String {
        let response = try await create(client, harness, ["name": name, "url": "https://\(name.lowercased().replacingOccurrences(of: " ", with: "-")).acme.test/", "roles": roles,
                                                          "position": position])
        #expect(response.status == .created, "\(response.text)")
        return response.object["id"] as? String ?? ""
    }

    @Test(arguments: TestDatabases.kinds)
    func apps_create_list_update_delete_forAdministratorsOnly(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let desktop = try await Self.create(client, harness, ["name": "Agent Desktop", "url": "https://desktop.acme.test/?tenant=acme",
                                                                  "roles": ["agent", "Supervisor"]])
            #expect(desktop.status == .created, "\(desktop.text)")
            let id = try #require(desktop.object["id"] as? String)
            #expect(desktop.headers[.location] == "\(Self.apps)/\(id)")
            #expect(desktop.object["roles"] as? [String] == ["supervisor", "agent"] && desktop.object["icon"] is NSNull)
            #expect(desktop.object["position"] as? Int == 0)
            #expect(Set(desktop.object.keys) == ["id", "name", "url", "icon", "roles", "position", "created_at", "updated_at"])
            let reports = try await Self.create(client, harness, ["name": "reports", "url": "/reports?range=today", "icon": "/assets/reports.svg",
                                                                  "roles": ["manager"], "position": 0])
            #expect(reports.status == .created && reports.object["icon"] as? String == "/assets/reports.svg", "\(reports.text)")
            let wall = try await Self.createApp(client, harness, "Wallboard", roles: ["supervisor"], position: -0)
            _ = try await Self.createApp(client, harness, "Admin console", roles: ["administrator"], position: 9)

            let listed = try await client.api(.get, Self.apps, token: harness.adminToken)
            #expect((listed.object["apps"] as? [[String: Any]])?.map { $0["name"] as? String }
                    == ["Agent Desktop", "reports", "Wallboard", "Admin console"], "by position, then name")

            harness.clock.advance(by: 5)
            let moved = try await client.api(.patch, "\(Self.apps)/\(wall)", token: harness.adminToken,
                                             json: #"{"position":-1,"icon":"https://cdn.acme.test/wall.png"}"#)
            #expect(moved.fieldNames == ["position"])
            let patched = try await client.api(.patch, "\(Self.apps)/\(wall)", token: harness.adminToken,
                                               json: #"{"position":1,"icon":"https://cdn.acme.test/wall.png","name":"Wall board"}"#)
            #expect(patched.status == .ok && patched.object["icon"] as? String == "https://cdn.acme.test/wall.png", "\(patched.text)")
            #expect(patched.object["url"] as? String == "https://wallboard.acme.test/" && patched.object["roles"] as? [String] == ["supervisor"])
            #expect(patched.object["updated_at"] as? String != patched.object["created_at"] as? String)
            let cleared = try await client.api(.patch, "\(Self.apps)/\(wall)", token: harness.adminToken, json: #"{"icon":null}"#)
            #expect(cleared.object["icon"] is NSNull && cleared.object["name"] as? String == "Wall board")
            #expect(try await client.api(.get, "\(Self.apps)/\(wall)", token: harness.adminToken).object["position"] as? Int == 1)

            for (method, json) in [(HTTPRequest.Method.get, nil), (.patch, #"{"name":"X"}"#), (.delete, nil)] as [(HTTPRequest.Method, String?)] {
                #expect(try await client.api(method, "\(Self.apps)/\(id)", token: harness.agentToken, json: json).status == .forbidden)
                #expect(try await client.api(method, "/api/v1/tenants/beta/apps/\(id)", token: harness.betaAdminToken, json: json).status == .notFound)
                #expect(try await client.api(method, "\(Self.apps)/\(UUID())", token: harness.adminToken, json: json).status == .notFound)
            }
            #expect(try await client.api(.get, Self.apps, token: harness.agentToken).status == .forbidden)
            #expect(try await client.api(.get, "/api/v1/tenants/beta/apps", token: harness.betaAdminToken).object["apps"] as? [Any] != nil)
            #expect((try await client.api(.get, "/api/v1/tenants/beta/apps", token: harness.betaAdminToken).object["apps"] as? [Any])?.isEmpty == true)

            #expect(try await client.api(.delete, "\(Self.apps)/\(id)", token: harness.adminToken).status == .noContent)
            #expect(try await client.api(.delete, "\(Self.apps)/\(id)", token: harness.adminToken).status == .notFound)
            let actions = try await harness.database.read { db in
                try await db.raw("SELECT action FROM audit_events WHERE target_kind = 'app' AND target_id = \(bind: wall)").all()
                    .map { try $0.decode(column: "action", as: String.self) }
            }
            #expect(actions.sorted() == ["app.create", "app.update", "app.update"])
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func badApps_nameEveryField(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            #expect(try await Self.create(client, harness, [:]).fieldNames == ["name", "url", "roles"])
            let bad = try await Self.create(client, harness, ["name": String(repeating: "a", count: 61), "url": "javascript:alert(1)",
                                                              "icon": "data:image/png;base64,AAAA", "roles": [], "position": 10_001])
            #expect(bad.status == .badRequest && bad.fieldNames == ["name", "url", "icon", "roles", "position"], "\(bad.text)")
            for url in ["//evil.test/x", "/\\evil.test", "/%2Fevil.test", "ftp://files.acme.test", "https://user:pw@acme.test/", "https://",
                        "reports", "https://acme.test/a b", "/" + String(repeating: "a", count: 2048)] {
                let refused = try await Self.create(client, harness, ["name": "X", "url": url, "roles": ["agent"]])
                #expect(refused.fieldNames == ["url"], "\(url): \(refused.text)")
            }
            #expect(try await Self.create(client, harness, ["name": "X", "url": "/x", "roles": ["pilot"]]).fieldNames == ["roles"])
            #expect(try await Self.create(client, harness, ["name": "X", "url": "/x", "roles": "agent", "position": "1"]).fieldNames
                    == ["roles", "position"])
            #expect(try await Self.create(client, harness, ["name": "X", "url": "HTTPS://ACME.test/x", "icon": "", "roles": ["agent"]]).status
                    == .created, "an empty icon is none")
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func callersSeeTheAppsOfTheirRoles(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            _ = try await Self.createApp(client, harness, "Desktop", roles: ["agent"])
            _ = try await Self.createApp(client, harness, "Wallboard", roles: ["supervisor"], position: 1)
            _ = try await Self.createApp(client, harness, "Reports", roles: ["manager", "administrator"], position: 2)
            func mine(_ email: String, roles: [String]) async throws -> [String] {
                let created = try await AccountFlowTests.createUser(client, harness, ["email": email, "roles": roles, "password": LoginTests.password])
                #expect(created.status == .created, "\(created.text)")
                let cookie = try #require(try await LoginTests.login(client, email: email).cookie(SessionCookieName.session))
                let apps = try await LoginTests.withSession(client, .get, "/api/v1/apps", cookie: cookie)
                #expect(apps.status == .ok, "\(apps.text)")
                return (apps.object["apps"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
            }
            #expect(try await mine("agent@acme.test", roles: ["agent"]) == ["Desktop"])
            #expect(try await mine("lead@acme.test", roles: ["supervisor", "agent"]) == ["Desktop", "Wallboard"])
            #expect(try await mine("boss@acme.test", roles: ["administrator"]) == ["Reports"])
            #expect(try await client.api(.get, "/api/v1/apps", token: nil).status == .unauthorized)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func landing_followsTheHighestRole_andFallsBackToTheAppsPage(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let desktop = try await Self.createApp(client, harness, "Desktop", roles: ["agent"])
            let wallboard = try await Self.createApp(client, harness, "Wallboard", roles: ["supervisor"])
            let settings = try await client.api(.get, "/api/v1/tenants/acme/settings", token: harness.adminToken)
            #expect(settings.object["landing"] as? [String: String]
                    == ["administrator": "apps", "manager": "apps", "supervisor": "apps", "agent": "apps"])
            #expect(settings.object["presence_gate_roles"] as? [String] == ["agent"])
            try await LoginTests.patchSettings(client, harness, #"{"landing":{"agent":"app:\#(desktop.uppercased())","supervisor":"console"}}"#)
            try await LoginTests.patchSettings(client, harness, #"{"landing":{"administrator":"console"}}"#)
            let after = try await client.api(.get, "/api/v1/tenants/acme/settings", token: harness.adminToken)
            #expect(after.object["landing"] as? [String: String]
                    == ["administrator": "console", "manager": "apps", "supervisor": "console", "agent": "app:\(desktop)"], "merged field by field")

            let catalog = AppCatalog(apps: SQLAppRepository(database: harness.database))
            func landing(_ roles: Set<Role>) async throws -> Landing {
                // Read afresh each time: the settings change in between.
                let tenant = try #require(try await SQLTenantRepository(database: harness.database).find(slug: try TenantSlug("acme")))
                let member = Member.new(try MemberDraft(NewMemberInput(email: "x@acme.test", firstName: "X", lastName: "Y", roles: roles.map(\.rawValue))),
                                        in: tenant.id, at: harness.clock.now())
                return try await catalog.landing(for: member, in: tenant)
            }
            guard case .app(let app) = try await landing([.agent]) else { Issue.record("agents land in their app"); return }
            #expect(app.id.uuidString.lowercased() == desktop && app.name == "Desktop")
            #expect(try await landing([.supervisor, .agent]) == .console, "supervisor outranks agent")
            #expect(try await landing([.manager, .supervisor]) == .apps, "manager outranks supervisor")
            #expect(try await landing([.administrator, .agent]) == .console)

            // An app the role may not open, or one that is gone, falls back to the apps page.
            try await LoginTests.patchSettings(client, harness, #"{"landing":{"agent":"app:\#(wallboard)"}}"#)
            #expect(try await landing([.agent]) == .apps)
            try await LoginTests.patchSettings(client, harness, #"{"landing":{"agent":"app:\#(desktop)"}}"#)
            #expect(try await client.api(.delete, "\(Self.apps)/\(desktop)", token: harness.adminToken).status == .noContent)
            #expect(try await landing([.agent]) == .apps)

            let refused = try await client.api(.patch, "/api/v1/tenants/acme/settings", token: harness.adminToken,
                                               json: #"{"landing":{"agent":"console","manager":"desk","supervisor":"app:nope","pilot":"apps"},"presence_gate_roles":["pilot"]}"#)
            #expect(refused.fieldNames == ["landing.agent", "landing.manager", "landing.supervisor", "landing.pilot", "presence_gate_roles"],
                    "\(refused.text)")
            #expect(try await client.api(.patch, "/api/v1/tenants/acme/settings", token: harness.adminToken, json: #"{"landing":"apps"}"#)
                .fieldNames == ["landing"])
            #expect(try await client.api(.patch, "/api/v1/tenants/acme/settings", token: harness.adminToken, json: #"{"presence_gate_roles":"agent"}"#)
                .fieldNames == ["presence_gate_roles"])
        }
    }
}
