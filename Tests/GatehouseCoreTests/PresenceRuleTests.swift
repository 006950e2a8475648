import Foundation
@testable import GatehouseCore
import Testing

@Suite struct PresenceRuleTests {
    static let tenant = TenantID()

    static func member(_ roles: Set<Role>, checked: MicrophoneCheck? = nil) throws -> Member {
        var member = Member.new(try MemberDraft(NewMemberInput(email: "x@acme.test", firstName: "X", lastName: "Y", roles: roles.map(\.rawValue))),
                                in: tenant, at: Date(timeIntervalSince1970: 0))
        member.user.microphoneCheck = checked
        return member
    }

    @Test func theGate_coversAgentsByDefault_andOnlyTheRolesNamed() throws {
        let settings = TenantSettings()
        #expect(settings.presence.gateRoles == [.agent])
        #expect(settings.presence.gates(try Self.member([.agent])))
        #expect(settings.presence.gates(try Self.member([.supervisor, .agent])))
        #expect(!settings.presence.gates(try Self.member([.administrator])))
        let none = try settings.merging(["presence_gate_roles": .array([])])
        #expect(!none.presence.gates(try Self.member([.agent])))
        #expect(none.document.values["presence_gate_roles"] == .array([]))
        let back = try none.merging(["presence_gate_roles": .null])
        #expect(back.presence.gateRoles == [.agent])
        #expect(try settings.merging(["presence_gate_roles": .array([.string("Supervisor")])]).presence.gateRoles == [.supervisor])
        #expect(throws: FieldErrors.self) { try settings.merging(["presence_gate_roles": .array([.string("pilot")])]) }
        #expect(throws: FieldErrors.self) { try settings.merging(["presence_gate_roles": .string("agent")]) }
    }

    @Test func landing_isDecidedByTheHighestRole() throws {
        var landing = LandingPolicy()
        let app = UUID()
        landing.agent = .app(app)
        landing.supervisor = .console
        #expect(landing.destination(for: [.agent]) == .app(app))
        #expect(landing.destination(for: [.agent, .supervisor]) == .console)
        #expect(landing.destination(for: [.supervisor, .manager]) == .apps)
        #expect(landing.destination(for: []) == .apps)
        #expect(LandingPolicy.Destination("app:\(app.uuidString)") == .app(app))
        #expect(LandingPolicy.Destination("app:") == nil && LandingPolicy.Destination("Apps") == nil)
        #expect(LandingPolicy.Destination.app(app).text == "app:\(app.uuidString.lowercased())")
        let merged = try TenantSettings().merging(["landing": .object(["agent": .string("app:\(app.uuidString)")])])
        #expect(merged.landing.agent == .app(app) && merged.landing.administrator == .apps)
        #expect(throws: FieldErrors.self) { try TenantSettings().merging(["landing": .object(["agent": .string("console")])]) }
    }

    @Test(arguments: [
        ("https://desktop.acme.test/", true), ("http://10.0.0.1:8080/x?y=1", true), ("/reports", true), ("/", true),
        ("//evil.test", false), ("/\\evil.test", false), ("/%5cevil.test", false), ("javascript:alert(1)", false),
        ("mailto:a@acme.test", false), ("https://u:p@acme.test", false), ("desk", false), ("", false), ("https://acme.test/\u{7}", false),
    ])
    func appLinks_areAbsoluteWebURLsOrLocalPaths(_ link: String, _ accepted: Bool) {
        #expect(((try? AppDraft.link(link)) != nil) == accepted, "\(link)")
    }

    @Test func reasons_keepGivenIDs_andGetNewOnes() throws {
        let given = UUID()
        let draft = try PresenceReasonListDraft(name: " Floor ", isDefault: nil, reasons: [
            PresenceReasonInput(name: "Break"), PresenceReasonInput(id: given.uuidString, name: "Lunch", code: "L"), PresenceReasonInput(name: "Nap"),
        ], complete: true)
        let reasons = try #require(draft.reasons)
        #expect(draft.name == "Floor" && draft.isDefault == nil)
        #expect(reasons.map(\.name) == ["Break", "Lunch", "Nap"] && reasons[1].id == given && reasons[1].code == "L")
        #expect(Set(reasons.map(\.id)).count == 3)
        let patch = try PresenceReasonListDraft(name: nil, isDefault: true, reasons: nil, complete: false)
        var list = PresenceReasonList.new(draft, in: Self.tenant, at: Date(timeIntervalSince1970: 0))
        list.apply(patch, at: Date(timeIntervalSince1970: 5))
        #expect(list.name == "Floor" && list.isDefault && list.reasons == reasons && list.updatedAt == Date(timeIntervalSince1970: 5))
        #expect(list.reason(given)?.name == "Lunch" && list.reason(UUID()) == nil)
    }

    @Test func microphoneCheck_isNeededByAgentsWhoNeverMadeOne() throws {
        #expect(try Self.member([.agent]).needsMicrophoneCheck)
        #expect(try Self.member([.supervisor, .agent]).needsMicrophoneCheck)
        #expect(!(try Self.member([.supervisor]).needsMicrophoneCheck))
        #expect(!(try Self.member([.agent], checked: MicrophoneCheck(result: .denied, checkedAt: Date())).needsMicrophoneCheck))
    }
}
