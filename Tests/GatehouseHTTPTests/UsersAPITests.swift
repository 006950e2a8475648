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

@Suite struct HealthTests {
    @Test(arguments: TestDatabases.kinds)
    func healthAndReadiness_nameTheDatabase(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { _, client in
            let health = try await client.api(.get, "/healthz", token: nil)
            #expect(health.status == .ok)
            #expect(health.object["status"] as? String == "ok")
            #expect(health.object["database"] as? String == kind.rawValue)
            let ready = try await client.api(.get, "/readyz", token: nil)
            #expect(ready.status == .ok)
            #expect(ready.object["status"] as? String == "ready")
        }
    }
}

@Suite struct UsersAPIAccessTests {
    static let users = "/api/v1/tenants/acme/users"

    @Test(arguments: TestDatabases.kinds)
    func missingOrWrongToken_is401_andWrongTokensAreAudited(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            for token in [nil, "gh_doesnotexist", "Basic abc", harness.adminToken + "x"] as [String?] {
                let response = try await client.api(.get, Self.users, token: token)
                #expect(response.status == .unauthorized)
                #expect(response.errorCode == "unauthenticated")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            let failures = try await harness.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'api.authenticate' AND outcome = 'failure'")
                    .first()!.decode(column: "n", as: Int.self)
            }
            #expect(failures == 3)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func nonAdministrator_is403(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let list = try await client.api(.get, Self.users, token: harness.agentToken)
            #expect(list.status == .forbidden)
            #expect(list.errorCode == "forbidden")
            let create = try await client.api(.post, Self.users, token: harness.agentToken,
                                              json: #"{"email":"x@acme.test","first_name":"X","last_name":"Y","roles":["administrator"]}"#)
            #expect(create.status == .forbidden)
        }
    }

    /// A token of tenant A learns nothing of tenant B: its users and the tenant itself are 404,
    /// with the same body as a tenant that does not exist.
    @Test(arguments: TestDatabases.kinds)
    func crossTenantAccess_is404_likeAnUnknownTenant(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let betaUsers = try await client.api(.get, "/api/v1/tenants/beta/users", token: harness.betaAdminToken)
            let beaID = try #require(((betaUsers.object["users"] as? [[String: Any]])?.first?["id"]) as? String)
            let foreign = try await client.api(.get, "/api/v1/tenants/beta/users", token: harness.adminToken)
            let unknown = try await client.api(.get, "/api/v1/tenants/nowhere/users", token: harness.adminToken)
            #expect(foreign.status == .notFound)
            #expect(foreign.text == unknown.text)
            for (method, json) in [(HTTPRequest.Method.get, nil), (.patch, #"{"first_name":"Hacked"}"#), (.delete, nil)] as [(HTTPRequest.Method, String?)] {
                let response = try await client.api(method, "/api/v1/tenants/beta/users/\(beaID)", token: harness.adminToken, json: json)
                #expect(response.status == .notFound)
            }
            // Nor does naming the other tenant's user under one's own tenant work.
            let viaOwn = try await client.api(.get, "\(Self.users)/\(beaID)", token: harness.adminToken)
            #expect(viaOwn.status == .notFound)
            let still = try await client.api(.get, "/api/v1/tenants/beta/users/\(beaID)", token: harness.betaAdminToken)
            #expect(still.object["first_name"] as? String == "A")
        }
    }
}

@Suite struct UsersAPITests {
    static let users = "/api/v1/tenants/acme/users"

    @Test(arguments: TestDatabases.kinds)
    func create_show_update_delete(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let created = try await client.api(.post, Self.users, token: harness.adminToken, json: """
                {"email":"Bob@Acme.test","first_name":"Bob","last_name":"Li","agent_id":1001,"phone":"(512) 555-1212",
                 "roles":["agent","supervisor"],"language":"fr-ca","unknown":"ignored"}
                """)
            #expect(created.status == .created)
            let user = created.object
            let id = try #require(user["id"] as? String)
            #expect(created.headers[.location] == "\(Self.users)/\(id)")
            #expect(user["email"] as? String == "Bob@Acme.test")
            #expect(user["agent_id"] as? String == "1001")
            #expect(user["phone"] as? String == "5125551212")
            #expect(user["roles"] as? [String] == ["supervisor", "agent"])
            #expect(user["status"] as? String == "active")
            #expect(user["language"] as? String == "fr-CA")
            #expect(user["tenant"] as? String == "acme")
            #expect((user["created_at"] as? String)?.hasSuffix("Z") == true)

            let shown = try await client.api(.get, "\(Self.users)/\(id)", token: harness.adminToken)
            #expect(shown.text == created.text)

            let patched = try await client.api(.patch, "\(Self.users)/\(id)", token: harness.adminToken,
                                               json: #"{"phone":null,"agent_id":"0042","status":"disabled","last_name":"Lee"}"#)
            #expect(patched.status == .ok)
            #expect(patched.object["phone"] is NSNull)
            #expect(patched.object["agent_id"] as? String == "0042")
            #expect(patched.object["status"] as? String == "disabled")
            #expect(patched.object["last_name"] as? String == "Lee")
            #expect(patched.object["first_name"] as? String == "Bob")

            let deleted = try await client.api(.delete, "\(Self.users)/\(id)", token: harness.adminToken)
            #expect(deleted.status == .noContent)
            #expect(try await client.api(.get, "\(Self.users)/\(id)", token: harness.adminToken).status == .notFound)
            #expect(try await client.api(.delete, "\(Self.users)/\(id)", token: harness.adminToken).status == .notFound)
            #expect(try await client.api(.get, "\(Self.users)/not-a-uuid", token: harness.adminToken).status == .notFound)

            let actions = try await harness.database.read { db in
                try await db.raw("SELECT action FROM audit_events WHERE target_id = \(bind: id) ORDER BY occurred_at, action")
                    .all().map { try $0.decode(column: "action", as: String.self) }
            }
            #expect(Set(actions) == ["user.create", "user.update", "user.delete"])
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func duplicates_are409_namingTheField(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let first = try await client.api(.post, Self.users, token: harness.adminToken,
                                             json: #"{"email":"bob@acme.test","first_name":"B","last_name":"L","agent_id":"7","roles":["agent"]}"#)
            #expect(first.status == .created)
            let sameEmail = try await client.api(.post, Self.users, token: harness.adminToken,
                                                 json: #"{"email":"BOB@ACME.TEST","first_name":"B","last_name":"L","roles":["agent"]}"#)
            #expect(sameEmail.status == .conflict)
            #expect(sameEmail.errorCode == "conflict")
            #expect(sameEmail.fieldNames == ["email"])
            // The email is unique on the server, so another tenant cannot take it either.
            let otherTenant = try await client.api(.post, "/api/v1/tenants/beta/users", token: harness.betaAdminToken,
                                                   json: #"{"email":"Bob@acme.test","first_name":"B","last_name":"L","roles":["agent"]}"#)
            #expect(otherTenant.status == .conflict)
            let sameAgent = try await client.api(.post, Self.users, token: harness.adminToken,
                                                 json: #"{"email":"cy@acme.test","first_name":"C","last_name":"L","agent_id":7,"roles":["agent"]}"#)
            #expect(sameAgent.status == .conflict)
            #expect(sameAgent.fieldNames == ["agent_id"])
            let agentElsewhere = try await client.api(.post, "/api/v1/tenants/beta/users", token: harness.betaAdminToken,
                                                      json: #"{"email":"cy@beta.test","first_name":"C","last_name":"L","agent_id":"7","roles":["agent"]}"#)
            #expect(agentElsewhere.status == .created)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func badInput_is400_namingEveryBadField_andSavesNothing(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let bad = try await client.api(.post, Self.users, token: harness.adminToken,
                                           json: #"{"email":"not-an-email","first_name":"","agent_id":"12a","roles":["boss"],"phone":5}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.errorCode == "validation_failed")
            #expect(bad.fieldNames == ["email", "first_name", "last_name", "agent_id", "roles", "phone"])
            let badAgent = try await client.api(.post, Self.users, token: harness.adminToken,
                                                json: #"{"email":"ok@acme.test","first_name":"O","last_name":"K","agent_id":"A-7","roles":["agent"]}"#)
            #expect(badAgent.fieldNames == ["agent_id"])
            let list = try await client.api(.get, Self.users, token: harness.adminToken)
            #expect((list.object["users"] as? [Any])?.count == 2)

            let badPatch = try await client.api(.patch, "\(Self.users)/\((list.object["users"] as! [[String: Any]])[0]["id"]!)",
                                                token: harness.adminToken, json: #"{"first_name":7,"email":"nope","status":"gone"}"#)
            #expect(badPatch.fieldNames == ["first_name", "email", "status"])

            let malformed = try await client.api(.post, Self.users, token: harness.adminToken, json: #"{"email":"#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCode == "invalid_json")
            let notObject = try await client.api(.post, Self.users, token: harness.adminToken, json: "[1]")
            #expect(notObject.errorCode == "invalid_json")
            let form = try await client.api(.post, Self.users, token: harness.adminToken, json: "email=x", contentType: "application/x-www-form-urlencoded")
            #expect(form.status == .unsupportedMediaType)
            let huge = try await client.api(.post, Self.users, token: harness.adminToken,
                                            json: #"{"email":""# + String(repeating: "a", count: 1_100_000) + #""}"#)
            #expect(huge.status == .contentTooLarge)
            #expect(huge.errorCode == "payload_too_large")
            let badLimit = try await client.api(.get, "\(Self.users)?limit=0", token: harness.adminToken)
            #expect(badLimit.fieldNames == ["limit"])
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func list_searchesAndWalksEveryPageOnce(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            for index in 0..<5 {
                let response = try await client.api(.post, Self.users, token: harness.adminToken,
                                                     json: #"{"email":"p\#(index)@acme.test","first_name":"P\#(index)","last_name":"Q","agent_id":"50\#(index)","roles":["agent"]}"#)
                #expect(response.status == .created)
            }
            var emails: [String] = []
            var cursor: String?
            repeat {
                let uri = "\(Self.users)?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.api(.get, uri, token: harness.adminToken).object
                emails += (page["users"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
                cursor = page["next_cursor"] as? String
            } while cursor != nil
            #expect(emails == ["al@acme.test", "ana@acme.test", "p0@acme.test", "p1@acme.test", "p2@acme.test", "p3@acme.test", "p4@acme.test"])
            let found = try await client.api(.get, "\(Self.users)?q=503", token: harness.adminToken).object
            #expect((found["users"] as? [[String: Any]])?.map { $0["email"] as? String } == ["p3@acme.test"])
            let badCursor = try await client.api(.get, "\(Self.users)?cursor=%%%", token: harness.adminToken)
            #expect(badCursor.status == .badRequest)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func unknownRoutes_areJSON404_andPagesCarrySecurityHeaders(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let api = try await client.api(.get, "/api/v1/nothing", token: harness.adminToken)
            #expect(api.status == .notFound)
            #expect(api.errorCode == "not_found")
            let page = try await client.execute(uri: "/nothing", method: .get)
            #expect(page.status == .notFound)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
        }
    }
}
