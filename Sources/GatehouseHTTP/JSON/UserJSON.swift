import Foundation
import GatehouseCore

/// A member as the admin API shows it: the person and their membership in one object.
struct UserJSON: Encodable {
    let id: String
    let email: String
    let firstName: String
    let lastName: String
    @NullWhenAbsent var phone: String?
    @NullWhenAbsent var agentId: String?
    let roles: [String]
    let status: String
    let language: String
    /// The slug of the tenant this view belongs to.
    let tenant: String
    let defaultTenant: String
    /// The Presence Reason list assigned in this tenant; null uses the tenant's default.
    @NullWhenAbsent var presenceReasonListId: String?
    @NullWhenAbsent var microphoneCheckedAt: Date?
    @NullWhenAbsent var microphoneCheckResult: String?
    let createdAt: Date
    let updatedAt: Date

    init(_ member: Member, tenant: Tenant) {
        id = member.user.id.description
        email = member.user.email.value
        firstName = member.user.firstName
        lastName = member.user.lastName
        phone = member.user.phone?.value
        agentId = member.membership.agentID?.value
        roles = member.membership.sortedRoles.map(\.rawValue)
        status = member.membership.status.rawValue
        language = member.user.language.value
        self.tenant = tenant.slug.rawValue
        defaultTenant = member.user.defaultTenantID.description
        presenceReasonListId = member.membership.presenceReasonListID?.uuidString.lowercased()
        microphoneCheckedAt = member.user.microphoneCheck?.checkedAt
        microphoneCheckResult = member.user.microphoneCheck?.result.rawValue
        createdAt = member.membership.createdAt
        updatedAt = max(member.user.updatedAt, member.membership.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, email, phone, roles, status, language, tenant
        case firstName = "first_name", lastName = "last_name", agentId = "agent_id", defaultTenant = "default_tenant"
        case presenceReasonListId = "presence_reason_list_id", microphoneCheckedAt = "microphone_checked_at"
        case microphoneCheckResult = "microphone_check_result"
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

struct UserListJSON: Encodable {
    let users: [UserJSON]
    @NullWhenAbsent var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case users
        case nextCursor = "next_cursor"
    }
}

extension JSONRequest {
    /// The fields of `POST …/users`.
    mutating func newMember() -> NewMemberInput {
        NewMemberInput(email: string("email"), firstName: string("first_name"), lastName: string("last_name"),
                       phone: string("phone"), agentID: digits("agent_id"), roles: strings("roles"),
                       language: string("language"), status: string("status"),
                       presenceReasonListID: string("presence_reason_list_id"))
    }

    /// The fields of `PATCH …/users/{id}`.
    mutating func memberChanges() -> MemberChangesInput {
        var input = MemberChangesInput()
        input.email = string("email")
        input.firstName = string("first_name")
        input.lastName = string("last_name")
        input.phone = update("phone")
        input.agentID = update("agent_id", digits: true)
        input.roles = strings("roles")
        input.language = string("language")
        input.status = string("status")
        input.presenceReasonListID = update("presence_reason_list_id")
        return input
    }
}

/// A temporary password, shown once.
struct TemporaryPasswordJSON: Encodable {
    let temporaryPassword: String
    let expiresAt: Date
    let format: String
    @NullWhenAbsent var warning: String?

    init(_ issued: IssuedTemporaryPassword) {
        temporaryPassword = issued.password
        expiresAt = issued.expiresAt
        format = issued.format.rawValue
        warning = issued.isGuessable
            ? "This format (initials and phone number) can be guessed by anyone who knows the person. Prefer the random format." : nil
    }

    enum CodingKeys: String, CodingKey {
        case temporaryPassword = "temporary_password", expiresAt = "expires_at", format, warning
    }
}

/// A created user, with their temporary password or invitation when one was made.
struct CreatedUserJSON: Encodable {
    let user: UserJSON
    let temporaryPassword: IssuedTemporaryPassword?
    let invitationExpiresAt: Date?

    enum CodingKeys: String, CodingKey {
        case temporaryPassword = "temporary_password", temporaryPasswordExpiresAt = "temporary_password_expires_at"
        case temporaryPasswordFormat = "temporary_password_format", temporaryPasswordWarning = "temporary_password_warning"
        case invitationExpiresAt = "invitation_expires_at"
    }

    func encode(to encoder: any Encoder) throws {
        // The user's own fields first, then the extras beside them in the same object.
        try user.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        if let issued = temporaryPassword {
            let shown = TemporaryPasswordJSON(issued)
            try container.encode(shown.temporaryPassword, forKey: .temporaryPassword)
            try container.encode(shown.expiresAt, forKey: .temporaryPasswordExpiresAt)
            try container.encode(shown.format, forKey: .temporaryPasswordFormat)
            if let warning = shown.warning { try container.encode(warning, forKey: .temporaryPasswordWarning) }
        }
        if let invitationExpiresAt { try container.encode(invitationExpiresAt, forKey: .invitationExpiresAt) }
    }
}

struct InvitationSentJSON: Encodable {
    let invitationExpiresAt: Date
    enum CodingKeys: String, CodingKey { case invitationExpiresAt = "invitation_expires_at" }
}
