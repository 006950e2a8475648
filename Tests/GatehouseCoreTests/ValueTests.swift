import Foundation
import GatehouseCore
import Testing

@Suite struct EmailAddressTests {
    @Test(arguments: ["ana@acme.test", "Ana.Diaz+cc@sub.acme.co", "o'brien@acme.ie", "josé@acme.test", "a@b.cd"])
    func accepts_realAddresses(_ text: String) throws {
        #expect(try EmailAddress(text).value == text)
    }

    @Test(arguments: ["", "ana", "ana@", "@acme.test", "ana@acme", "ana@@acme.test", "an a@acme.test", "ana@acme..test",
                      ".ana@acme.test", "ana.@acme.test", "ana@-acme.test", "ana@acme.t", "ana@acme.test\n"])
    func refuses_malformedAddresses(_ text: String) {
        #expect(throws: InvalidValue.self) { try EmailAddress(text) }
    }

    @Test func key_isCaseFolded_andLocalPartIsBeforeTheAt() throws {
        let email = try EmailAddress("Ana.Diaz@ACME.test")
        #expect(email.key == "ana.diaz@acme.test")
        #expect(email.localPart == "Ana.Diaz")
    }
}

@Suite struct IdentifierTests {
    @Test func agentID_keepsLeadingZeros_andRefusesNonDigits() throws {
        #expect(try AgentID("0042").value == "0042")
        for bad in ["", "12a", "-1", "1.0", "١٢٣", String(repeating: "1", count: 21)] {
            #expect(throws: InvalidValue.self) { try AgentID(bad) }
        }
    }

    @Test func phone_dropsPunctuation_andBoundsDigitCount() throws {
        #expect(try PhoneNumber("(512) 555-1212").value == "5125551212")
        #expect(try PhoneNumber("+1 512.555.1212").value == "+15125551212")
        #expect(throws: InvalidValue.self) { try PhoneNumber("123") }
        #expect(throws: InvalidValue.self) { try PhoneNumber("1234567890123456") }
        #expect(throws: InvalidValue.self) { try PhoneNumber("512-555-CALL") }
        #expect(throws: InvalidValue.self) { try PhoneNumber("1+5125551212") }
    }

    @Test func slug_followsDNSLabelRules() throws {
        #expect(try TenantSlug("acme-eu").rawValue == "acme-eu")
        for bad in ["a", "Acme", "acme_eu", "-acme", "acme-", "ac--me", "acmé", String(repeating: "a", count: 64)] {
            #expect(throws: InvalidValue.self) { try TenantSlug(bad) }
        }
    }

    @Test func languageTag_isCanonicalised() throws {
        #expect(try LanguageTag("fr-ca").value == "fr-CA")
        #expect(try LanguageTag("zh-hant-tw").value == "zh-Hant-TW")
        #expect(throws: InvalidValue.self) { try LanguageTag("english") }
        #expect(throws: InvalidValue.self) { try LanguageTag("e") }
    }

    @Test func roles_parse_caseInsensitively_andRefuseEmptyOrUnknown() throws {
        #expect(try Role.parseSet(["Agent", "administrator", "agent"]) == [.agent, .administrator])
        #expect(throws: InvalidValue.self) { try Role.parseSet([]) }
        #expect(throws: InvalidValue.self) { try Role.parseSet(["boss"]) }
        #expect([Role.agent, .administrator, .manager].sorted() == [.administrator, .manager, .agent])
    }
}

@Suite struct MemberDraftTests {
    @Test func reportsEveryBadField_atOnce() {
        let input = NewMemberInput(email: "nope", firstName: " ", lastName: nil, phone: "12", agentID: "x1", roles: ["boss"],
                                   language: "english", status: "gone")
        do {
            _ = try MemberDraft(input)
            Issue.record("expected FieldErrors")
        } catch {
            #expect(Set(error.messages.keys) == ["email", "first_name", "last_name", "phone", "agent_id", "roles", "language", "status"])
        }
    }

    @Test func emptyOptionalFields_meanNone_andDefaultsApply() throws {
        let draft = try MemberDraft(NewMemberInput(email: "ana@acme.test", firstName: " Ana ", lastName: "Diaz", phone: "",
                                                   agentID: "", roles: ["agent"]))
        #expect(draft.firstName == "Ana")
        #expect(draft.phone == nil)
        #expect(draft.agentID == nil)
        #expect(draft.language == .english)
        #expect(draft.status == .active)
    }

    @Test func apply_changesNothing_whenAnyFieldIsBad() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var member = Member.new(try MemberDraft(NewMemberInput(email: "ana@acme.test", firstName: "Ana", lastName: "Diaz",
                                                               agentID: "1001", roles: ["agent"])), in: TenantID(), at: now)
        let before = member
        var changes = MemberChangesInput()
        changes.firstName = "Anna"
        changes.agentID = .set("bad")
        #expect(throws: FieldErrors.self) { try member.apply(changes, at: now.addingTimeInterval(5)) }
        #expect(member == before)

        changes.agentID = .clear
        try member.apply(changes, at: now.addingTimeInterval(5))
        #expect(member.user.firstName == "Anna")
        #expect(member.membership.agentID == nil)
        #expect(member.user.updatedAt == now.addingTimeInterval(5))
    }
}
