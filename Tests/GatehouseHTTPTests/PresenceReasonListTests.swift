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

/// Presence Reason lists through the admin API, their assignment to members, and the rule of
/// one default per tenant.
@Suite struct PresenceReasonListTests {
    static let lists = "/api/v1/tenants/acme/presence-reason-lists"

    static func create(_ client: any TestClientProtocol, _ harness: Harness, _ body: [String: Any],
                       tenant: String = "acme") async throws -> TestResponse {
        try await client.api(.post, "/api/v1/tenants/\(tenant)/presence-reason-lists",
                             token: tenant == "acme" ? harness.adminToken : harness.betaAdminToken, json: AccountFlowTests.json(body))
    }

    /// Creates a list in acme and returns its id.
    static func createList(_ client: any TestClientProtocol, _ harness: Harness, _ name: String, reasons: [String] = ["Break"],
                           isDefault: Bool = false) async throws -> String {
        let response = try await create(client, harness, ["name": name, "is_default": isDefault, "reasons": reasons.map { ["name": $0] }])
        #expect(response.status == .created, "\(response.text)")
        return response.object["id"] as? String ?? ""
    }

    static func patch(_ client: any TestClientProtocol, _ harness: Harness, _ id: String, _ body: [String: Any]) async throws -> TestResponse {
        try await client.api(.patch, "\(lists)/\(id)", token: harness.adminToken, json: AccountFlowTests.json(body))
    }

    /// Takes acme's default list away: agents without an assigned list have none now.
    static func removeDefault(_ client: any TestClientProtocol, _ harness: Harness) async throws {
        let response = try await patch(client, harness, harness.acmeDefaultList.uuidString.lowercased(), ["is_default": false])
        #expect(response.status == .ok, "\(response.text)")
    }

    static func reasons(_ response: TestResponse) -> [[String: Any]] { response.object["reasons"] as? [[String: Any]] ?? [] }

    static func all(_ client: any TestClientProtocol, _ harness: Harness) async throws -> [[String: Any]] {
        try await client.api(.get, lists, token: harness.adminToken).object["presence_reason_lists"] as? [[String: Any]] ?? []
    }

    @Test(arguments: TestDatabases.kinds)
    func create_show_update_delete_keepReasonIDsAndOrder(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let initial = try await Self.all(client, harness)
            #expect(initial.map { $0["name"] as? String } == ["Standard"])
            #expect(initial.first?["is_default"] as? Bool == true && initial.first?["member_count"] as? Int == 0)

            let given = "0f0e0d0c-0b0a-4999-8888-777766665555"
            let created = try await Self.create(client, harness, ["name": "  Sales floor ", "reasons": [
                ["name": "Coaching", "code": "COACH"], ["name": "Break"], ["id": given.uppercased(), "name": "Training", "code": " "]]])
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.object["id"] as? String)
            #expect(created.headers[.location] == "\(Self.lists)/\(id)")
            #expect(created.object["name"] as? String == "Sales floor" && created.object["is_default"] as? Bool == false)
            #expect(created.object["member_count"] as? Int == 0 && created.object["created_at"] is String && created.object["updated_at"] is String)
            let reasons = Self.reasons(created)
            #expect(reasons.map { $0["name"] as? String } == ["Coaching", "Break", "Training"])
            #expect(reasons.map { $0["code"] as? String } == ["COACH", nil, nil])
            #expect(reasons.allSatisfy { $0.keys.sorted() == ["code", "id", "name"] })
            #expect(reasons[2]["id"] as? String == given, "a given id is kept (in lower case)")
            let coaching = try #require(reasons[0]["id"] as? String)
            #expect(UUID(uuidString: coaching) != nil && coaching == coaching.lowercased())

            let shown = try await client.api(.get, "\(Self.lists)/\(id)", token: harness.adminToken)
            #expect(shown.status == .ok && Self.reasons(shown).map { $0["id"] as? String } == reasons.map { $0["id"] as? String })

            harness.clock.advance(by: 60)
            let renamed = try await Self.patch(client, harness, id, ["name": "Sales", "reasons": [
                ["name": "Training", "id": given], ["id": coaching, "name": "Coaching 1:1", "code": "COACH"], ["name": "Lunch"]]])
            #expect(renamed.status == .ok, "\(renamed.text)")
            #expect(renamed.object["name"] as? String == "Sales" && renamed.object["updated_at"] as? String != created.object["updated_at"] as? String)
            let after = Self.reasons(renamed)
            #expect(after.map { $0["name"] as? String } == ["Training", "Coaching 1:1", "Lunch"])
            #expect(after[0]["id"] as? String == given && after[1]["id"] as? String == coaching)
            #expect(!reasons.contains { $0["id"] as? String == after[2]["id"] as? String }, "a reason without an id is new")
            // A PATCH without reasons keeps them.
            let flagged = try await Self.patch(client, harness, id, ["is_default": false])
            #expect(Self.reasons(flagged).map { $0["id"] as? String } == after.map { $0["id"] as? String })
            #expect(try await Self.all(client, harness).map { $0["name"] as? String } == ["Sales", "Standard"])

            #expect(try await client.api(.delete, "\(Self.lists)/\(id)", token: harness.adminToken).status == .noContent)
            let gone = try await client.api(.get, "\(Self.lists)/\(id)", token: harness.adminToken)
            #expect(gone.status == .notFound && gone.errorCode == "not_found")
            #expect(try await client.api(.delete, "\(Self.lists)/\(id)", token: harness.adminToken).status == .notFound)
            #expect(try await client.api(.get, "\(Self.lists)/not-a-uuid", token: harness.adminToken).status == .notFound)
            let stored = try await harness.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM presence_reasons WHERE list_id = \(bind: id)").first()!.decode(column: "n", as: Int.self)
            }
            #expect(stored == 0, "the reasons went with the list")
            let actions = try await harness.database.read { db in
                try await db.raw("SELECT action FROM audit_events WHERE target_id = \(bind: id) ORDER BY occurred_at, action").all()
                    .map { try $0.decode(column: "action", as: String.self) }
            }
            #expect(Set(actions) == ["presence_reason_list.create", "presence_reason_list.update", "presence_reason_list.delete"])
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func anotherTenantsLists_areNotFound_andOnlyAdministratorsManageThem(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let beta = harness.betaDefaultList.uuidString.lowercased()
            for (method, json) in [(HTTPRequest.Method.get, nil), (.patch, #"{"name":"Mine now"}"#), (.delete, nil)] as [(HTTPRequest.Method, String?)] {
                let viaOwn = try await client.api(method, "\(Self.lists)/\(beta)", token: harness.adminToken, json: json)
                #expect(viaOwn.status == .notFound && viaOwn.errorCode == "not_found", "\(method)")
                let viaTheirs = try await client.api(method, "/api/v1/tenants/beta/presence-reason-lists/\(beta)", token: harness.adminToken, json: json)
                #expect(viaTheirs.status == .notFound, "\(method)")
            }
            let theirs = try await client.api(.get, "/api/v1/tenants/beta/presence-reason-lists/\(beta)", token: harness.betaAdminToken)
            #expect(theirs.object["name"] as? String == "Standard")
            #expect(try await client.api(.get, Self.lists, token: harness.agentToken).status == .forbidden)
            #expect(try await client.api(.post, Self.lists, token: harness.agentToken, json: #"{"name":"X","reasons":[{"name":"Y"}]}"#).status == .forbidden)
            #expect(try await client.api(.get, Self.lists, token: nil).status == .unauthorized)
            // The same name in another tenant is fine.
            #expect(try await Self.create(client, harness, ["name": "Sales", "reasons": [["name": "Break"]]], tenant: "beta").status == .created)
            #expect(try await Self.create(client, harness, ["name": "Sales", "reasons": [["name": "Break"]]]).status == .created)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func badInput_namesEveryField_andNamesAreUniquePerTenant(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let empty = try await Self.create(client, harness, [:])
            #expect(empty.status == .badRequest && empty.errorCode == "validation_failed")
            #expect(empty.fieldNames == ["name", "reasons"])
            let bad = try await Self.create(client, harness, ["name": String(repeating: "n", count: 101), "is_default": "yes", "reasons": [
                ["name": "Break", "code": String(repeating: "C", count: 31)], ["name": "break"], ["code": "X"], ["id": "nope", "name": "Lunch"],
                ["name": String(repeating: "r", count: 61)], "Nap", ["name": 7]]])
            #expect(bad.status == .badRequest)
            #expect(bad.fieldNames == ["name", "is_default", "reasons[0].code", "reasons[1].name", "reasons[2].name", "reasons[3].id",
                                       "reasons[4].name", "reasons[5]", "reasons[5].name", "reasons[6].name"], "\(bad.text)")
            #expect(try await Self.create(client, harness, ["name": "X", "reasons": []]).fieldNames == ["reasons"])
            let many = (1...51).map { ["name": "Reason \($0)"] }
            #expect(try await Self.create(client, harness, ["name": "X", "reasons": many]).fieldNames == ["reasons"])
            #expect(try await Self.create(client, harness, ["name": "X", "reasons": Array(many.prefix(50))]).status == .created)
            let id = "5a5a5a5a-0000-4000-8000-000000000001"
            let twice = try await Self.create(client, harness, ["name": "Y", "reasons": [["id": id, "name": "A"], ["id": id, "name": "B"]]])
            #expect(twice.fieldNames == ["reasons[1].id"])

            let taken = try await Self.create(client, harness, ["name": "STANDARD", "reasons": [["name": "Break"]]])
            #expect(taken.status == .conflict && taken.errorCode == "name_taken", "\(taken.text)")
            #expect(taken.fieldNames == ["name"])
            let other = try await Self.createList(client, harness, "Night")
            let rename = try await Self.patch(client, harness, other, ["name": "standard"])
            #expect(rename.status == .conflict && rename.errorCode == "name_taken")
            #expect(try await Self.patch(client, harness, other, ["reasons": []]).fieldNames == ["reasons"])
            #expect(try await Self.patch(client, harness, other, ["name": "Night shift"]).status == .ok, "its own name may change case or words")
            #expect(try await Self.patch(client, harness, other, ["name": "NIGHT SHIFT"]).status == .ok)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func aTenantHasAtMostOneDefault_andTheDatabaseAgrees(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            func defaults() async throws -> [String] {
                try await Self.all(client, harness).filter { $0["is_default"] as? Bool == true }.compactMap { $0["name"] as? String }
            }
            let night = try await Self.createList(client, harness, "Night", isDefault: true)
            #expect(try await defaults() == ["Night"])
            let standard = harness.acmeDefaultList.uuidString.lowercased()
            #expect(try await Self.patch(client, harness, standard, ["is_default": true]).object["is_default"] as? Bool == true)
            #expect(try await defaults() == ["Standard"])
            #expect(try await Self.patch(client, harness, standard, ["is_default": false]).status == .ok)
            #expect(try await defaults() == [])
            #expect(try await Self.patch(client, harness, night, ["is_default": true]).status == .ok)
            #expect(try await defaults() == ["Night"])
            // beta's default is untouched throughout.
            let beta = try await client.api(.get, "/api/v1/tenants/beta/presence-reason-lists", token: harness.betaAdminToken)
            #expect((beta.object["presence_reason_lists"] as? [[String: Any]])?.first?["is_default"] as? Bool == true)
            // A write that skipped the repository could not make a second default either.
            await #expect(throws: (any Error).self) {
                try await harness.database.write { db in
                    try await db.raw("UPDATE presence_reason_lists SET is_default = 1 WHERE id = \(bind: standard)").run()
                }
            }
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func deletingAListInUse_is409_unlessItsMembersMoveToAReplacement(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let standard = harness.acmeDefaultList.uuidString.lowercased()
            let night = try await Self.createList(client, harness, "Night")
            let day = try await Self.createList(client, harness, "Day")
            var users: [String] = []
            for email in ["n1@acme.test", "n2@acme.test"] {
                let created = try await AccountFlowTests.createUser(client, harness, ["email": email, "presence_reason_list_id": night])
                #expect(created.status == .created, "\(created.text)")
                users.append(created.object["id"] as? String ?? "")
            }
            #expect(try await client.api(.get, "\(Self.lists)/\(night)", token: harness.adminToken).object["member_count"] as? Int == 2)

            let inUse = try await client.api(.delete, "\(Self.lists)/\(night)", token: harness.adminToken)
            #expect(inUse.status == .conflict && inUse.errorCode == "presence_reason_list_in_use", "\(inUse.text)")
            #expect((inUse.object["message"] as? String)?.contains("assigned to 2 members") == true, "\(inUse.text)")
            let isDefault = try await client.api(.delete, "\(Self.lists)/\(standard)", token: harness.adminToken)
            #expect(isDefault.status == .conflict && isDefault.errorCode == "presence_reason_list_in_use")
            #expect((isDefault.object["message"] as? String)?.contains("default") == true)
            #expect((isDefault.object["message"] as? String)?.contains("0 members") == true)

            let beta = harness.betaDefaultList.uuidString.lowercased()
            for replacement in [beta, night, "nope", UUID().uuidString] {
                let refused = try await client.api(.delete, "\(Self.lists)/\(night)?replace_with=\(replacement)", token: harness.adminToken)
                #expect(refused.status == .badRequest && refused.fieldNames == ["replace_with"], "\(replacement): \(refused.text)")
            }
            #expect(try await Self.all(client, harness).count == 3, "nothing was deleted")

            let moved = try await client.api(.delete, "\(Self.lists)/\(night)?replace_with=\(day)", token: harness.adminToken)
            #expect(moved.status == .noContent, "\(moved.text)")
            for user in users {
                let shown = try await client.api(.get, "/api/v1/tenants/acme/users/\(user)", token: harness.adminToken)
                #expect(shown.object["presence_reason_list_id"] as? String == day)
            }
            #expect(try await client.api(.get, "\(Self.lists)/\(day)", token: harness.adminToken).object["member_count"] as? Int == 2)

            // The default passes to the replacement with the members.
            #expect(try await client.api(.delete, "\(Self.lists)/\(standard)?replace_with=\(day)", token: harness.adminToken).status == .noContent)
            let left = try await Self.all(client, harness)
            #expect(left.map { $0["name"] as? String } == ["Day"] && left.first?["is_default"] as? Bool == true)
            let detail = try await harness.database.read { db in
                try await db.raw("""
                    SELECT detail FROM audit_events WHERE action = 'presence_reason_list.delete' AND target_id = \(bind: night)
                    """).first()?.decode(column: "detail", as: String.self)
            }
            #expect(detail?.contains(#""members_moved":"2""#) == true && detail?.contains(day) == true, "\(detail ?? "")")
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func members_takeOnlyAListOfTheirOwnTenant(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let night = try await Self.createList(client, harness, "Night")
            let beta = harness.betaDefaultList.uuidString.lowercased()
            let created = try await AccountFlowTests.createUser(client, harness, ["email": "sam@acme.test", "presence_reason_list_id": night])
            #expect(created.status == .created && created.object["presence_reason_list_id"] as? String == night, "\(created.text)")
            #expect(created.object["microphone_checked_at"] is NSNull && created.object["microphone_check_result"] is NSNull)
            let id = try #require(created.object["id"] as? String)
            let user = "/api/v1/tenants/acme/users/\(id)"

            for foreign in [beta, UUID().uuidString, "night"] {
                let refused = try await client.api(.patch, user, token: harness.adminToken,
                                                   json: AccountFlowTests.json(["presence_reason_list_id": foreign]))
                #expect(refused.status == .badRequest && refused.errorCode == "validation_failed", "\(refused.text)")
                #expect(refused.fieldNames == ["presence_reason_list_id"], "\(foreign)")
            }
            // Reported with the other bad fields, and nothing is created.
            let both = try await AccountFlowTests.createUser(client, harness, ["email": "not-an-email", "presence_reason_list_id": beta])
            #expect(both.fieldNames == ["email", "presence_reason_list_id"], "\(both.text)")
            let mixed = try await client.api(.patch, user, token: harness.adminToken,
                                             json: AccountFlowTests.json(["first_name": "", "presence_reason_list_id": beta]))
            #expect(mixed.fieldNames == ["first_name", "presence_reason_list_id"], "\(mixed.text)")
            #expect(try await client.api(.get, user, token: harness.adminToken).object["presence_reason_list_id"] as? String == night)

            let cleared = try await client.api(.patch, user, token: harness.adminToken, json: #"{"presence_reason_list_id":null}"#)
            #expect(cleared.status == .ok && cleared.object["presence_reason_list_id"] is NSNull)
            let listed = try await client.api(.get, "/api/v1/tenants/acme/users", token: harness.adminToken)
            #expect((listed.object["users"] as? [[String: Any]])?.allSatisfy { $0.keys.contains("presence_reason_list_id") } == true)
            let set = try await client.api(.patch, user, token: harness.adminToken, json: AccountFlowTests.json(["presence_reason_list_id": night]))
            #expect(set.object["presence_reason_list_id"] as? String == night)

            // The database refuses another tenant's list even without the API's check.
            await #expect(throws: (any Error).self) {
                try await harness.database.write { db in
                    try await db.raw("UPDATE memberships SET presence_reason_list_id = \(bind: beta) WHERE user_id = \(bind: id)").run()
                }
            }
        }
    }
}
