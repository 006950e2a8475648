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
        createdAt = member.membership.createdAt
        updatedAt = max(member.user.updatedAt, member.membership.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, email, phone, roles, status, language, tenant
        case firstName = "first_name", lastName = "last_name", agentId = "agent_id", defaultTenant = "default_tenant"
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
                       language: string("language"), status: string("status"))
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
        return input
    }
}
