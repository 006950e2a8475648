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

/// The signed-in agent's own presence, and their microphone check.
@Suite struct PresenceAPITests {
    static func signIn(_ client: any TestClientProtocol, _ harness: Harness, _ email: String) async throws -> (id: String, cookie: String) {
        let id = try await LoginTests.createUser(client, harness, email)
        let response = try await LoginTests.login(client, email: email)
        #expect(response.status == .ok, "\(response.text)")
        return (id, try #require(response.cookie(SessionCookieName.session)))
    }

    static func put(_ client: any TestClientProtocol, _ cookie: String, _ body: [String: Any],
                    uri: String = "/api/v1/presence") async throws -> TestResponse {
        try await LoginTests.withSession(client, .put, uri, cookie: cookie, json: AccountFlowTests.json(body))
    }

    @Test(arguments: TestDatabases.kinds)
    func presence_startsAway_andTakesOnlyReasonsOfTheCallersList(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let (sam, cookie) = try await Self.signIn(client, harness, "sam@acme.test")
            let initial = try await LoginTests.withSession(client, .get, "/api/v1/presence", cookie: cookie)
            #expect(initial.status == .ok, "\(initial.text)")
            #expect(initial.object["state"] as? String == "away" && initial.object["reason"] is NSNull && initial.object["reason_id"] is NSNull)
            #expect(initial.object["updated_at"] is NSNull)
            let list = try #require(initial.object["presence_reason_list"] as? [String: Any])
            #expect(list["id"] as? String == harness.acmeDefaultList.uuidString.lowercased() && list["is_default"] as? Bool == true)
            let reasons = try #require(list["reasons"] as? [[String: Any]])
            #expect(reasons.map { $0["name"] as? String } == ["Break", "Lunch"])
            let breakID = try #require(reasons.first?["id"] as? String)

            let available = try await Self.put(client, cookie, ["state": "available"])
            #expect(available.status == .ok && available.object["state"] as? String == "available" && available.object["reason"] is NSNull)
            #expect(available.object["updated_at"] is String)
            #expect(try await Self.put(client, cookie, ["state": "away"]).fieldNames == ["reason_id"])
            #expect(try await Self.put(client, cookie, ["state": "busy"]).fieldNames == ["state"])
            #expect(try await Self.put(client, cookie, [:]).fieldNames == ["state"])
            #expect(try await Self.put(client, cookie, ["state": 1, "reason_id": 2]).fieldNames == ["state", "reason_id"])

            let away = try await Self.put(client, cookie, ["state": "away", "reason_id": breakID.uppercased()])
            #expect(away.status == .ok, "\(away.text)")
            #expect(away.object["reason_id"] as? String == breakID)
            #expect(away.object["reason"] as? [String: String] == ["id": breakID, "name": "Break", "code": "BRK"])
            let read = try await LoginTests.withSession(client, .get, "/api/v1/presence", cookie: cookie)
            #expect(read.object["state"] as? String == "away" && read.object["reason_id"] as? String == breakID)

            // A reason of another list, or no reason at all, is refused.
            let nightResponse = try await PresenceReasonListTests.create(client, harness, ["name": "Night", "reasons": [["name": "Nap"]]])
            let night = try #require(nightResponse.object["id"] as? String)
            let nap = try #require(PresenceReasonListTests.reasons(nightResponse).first?["id"] as? String)
            for reason in [nap, "not-a-reason", UUID().uuidString] {
                let refused = try await Self.put(client, cookie, ["state": "away", "reason_id": reason])
                #expect(refused.status == .unprocessableContent && refused.errorCode == "unknown_reason", "\(refused.text)")
            }
            #expect(try await LoginTests.withSession(client, .get, "/api/v1/presence", cookie: cookie).object["reason_id"] as? String == breakID)

            // Assigned another list, the old reason no longer reads; the new list's reasons work.
            _ = try await client.api(.patch, "/api/v1/tenants/acme/users/\(sam)", token: harness.adminToken,
                                     json: AccountFlowTests.json(["presence_reason_list_id": night]))
            let moved = try await LoginTests.withSession(client, .get, "/api/v1/presence", cookie: cookie)
            #expect(moved.object["state"] as? String == "away" && moved.object["reason"] is NSNull, "\(moved.text)")
            #expect((moved.object["presence_reason_list"] as? [String: Any])?["id"] as? String == night)
            #expect(try await Self.put(client, cookie, ["state": "away", "reason_id": breakID]).errorCode == "unknown_reason")
            #expect(try await Self.put(client, cookie, ["state": "away", "reason_id": nap]).status == .ok)

            // Without any list there is nothing to report with.
            _ = try await client.api(.patch, "/api/v1/tenants/acme/users/\(sam)", token: harness.adminToken, json: #"{"presence_reason_list_id":null}"#)
            try await PresenceReasonListTests.removeDefault(client, harness)
            let none = try await Self.put(client, cookie, ["state": "available"])
            #expect(none.status == .conflict && none.errorCode == "presence_reason_list_required", "\(none.text)")
            #expect(try await LoginTests.withSession(client, .get, "/api/v1/presence", cookie: cookie).object["presence_reason_list"] is NSNull)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func presence_isTheCallersOwn_andRefusesOtherSites(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let (_, cookie) = try await Self.signIn(client, harness, "sam@acme.test")
            let (_, other) = try await Self.signIn(client, harness, "kim@acme.test")
            #expect(try await Self.put(client, cookie, ["state": "available"]).status == .ok)
            #expect(try await LoginTests.withSession(client, .get, "/api/v1/presence", cookie: other).object["state"] as? String == "away")
            let foreign = try await LoginTests.withSession(client, .put, "/api/v1/presence", cookie: cookie, json: #"{"state":"away"}"#,
                                                           headers: [.origin: "https://evil.test"])
            #expect(foreign.status == .forbidden && foreign.errorCode == "cross_origin")
            #expect(try await client.api(.get, "/api/v1/presence", token: nil).status == .unauthorized)
            #expect(try await client.api(.put, "/api/v1/presence", token: harness.agentToken, json: #"{"state":"available"}"#).status == .unauthorized,
                    "a session route")
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func microphoneCheck_isRecordedOnThePerson_withTheServersClock(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let (sam, cookie) = try await Self.signIn(client, harness, "sam@acme.test")
            let uri = "/api/v1/account/microphone-check"
            let before = try await LoginTests.withSession(client, .get, uri, cookie: cookie)
            #expect(before.status == .ok && before.object["result"] is NSNull && before.object["checked_at"] is NSNull, "\(before.text)")
            let members = SQLMemberRepository(database: harness.database)
            let tenant = try #require(try await SQLTenantRepository(database: harness.database).find(slug: try TenantSlug("acme")))
            let samID = try #require(UserID(string: sam))
            let member = try #require(try await members.find(tenant: tenant.id, user: samID))
            #expect(member.needsMicrophoneCheck)

            #expect(try await Self.put(client, cookie, ["result": "loud"], uri: uri).fieldNames == ["result"])
            #expect(try await Self.put(client, cookie, [:], uri: uri).fieldNames == ["result"])
            harness.clock.advance(by: 90)
            let recorded = try await Self.put(client, cookie, ["result": "denied", "checked_at": "2001-01-01T00:00:00Z"], uri: uri)
            #expect(recorded.status == .ok && recorded.object["result"] as? String == "denied", "\(recorded.text)")
            let checkedAt = try #require(recorded.object["checked_at"] as? String)
            #expect(try await LoginTests.withSession(client, .get, uri, cookie: cookie).object["checked_at"] as? String == checkedAt)
            let user = try await client.api(.get, "/api/v1/tenants/acme/users/\(sam)", token: harness.adminToken)
            #expect(user.object["microphone_check_result"] as? String == "denied" && user.object["microphone_checked_at"] as? String == checkedAt)
            let stored = try #require(try await members.find(tenant: tenant.id, user: member.user.id))
            #expect(stored.user.microphoneCheck == MicrophoneCheck(result: .denied, checkedAt: harness.clock.now()))
            #expect(!stored.needsMicrophoneCheck)
            let audit = try await harness.database.read { db in
                try await db.raw("SELECT detail FROM audit_events WHERE action = 'microphone.checked' AND actor_id = \(bind: sam)").all()
                    .map { try $0.decode(column: "detail", as: String.self) }
            }
            #expect(audit == [#"{"result":"denied"}"#])

            let foreign = try await LoginTests.withSession(client, .put, uri, cookie: cookie, json: #"{"result":"allowed"}"#,
                                                           headers: [.origin: "https://evil.test"])
            #expect(foreign.status == .forbidden && foreign.errorCode == "cross_origin")
            #expect(try await client.api(.put, uri, token: nil, json: #"{"result":"allowed"}"#).status == .unauthorized)
            #expect(try await LoginTests.withSession(client, .get, uri, cookie: cookie).object["result"] as? String == "denied")
        }
    }
}
