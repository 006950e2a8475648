import Foundation

/// The names under which guesses are counted, in one place so that sign-in, password change
/// and an administrator's unlock always agree on them.
public enum AttemptKey {
    /// Sign-in guesses at a name as typed: the same key whether or not the account exists.
    public static func account(_ identifier: LoginIdentifier) -> String {
        switch identifier {
        case .email(let email, _): "account:email:" + email.trimmingCharacters(in: .whitespaces).lowercased()
        case .agentID(let id, let tenant): "account:agent:" + tenant.lowercased() + ":" + id.trimmingCharacters(in: .whitespaces)
        }
    }

    /// Sign-in attempts from one client address, across all names.
    public static func client(_ address: String) -> String { "client:" + address }

    /// Guesses at the current password during a password change.
    public static func passwordChange(_ user: UserID) -> String { "password-change:" + user.description }

    /// Wrong second-factor codes of one person, whatever name they signed in with.
    public static func secondFactor(_ user: UserID) -> String { "second-factor:" + user.description }

    /// The sign-in keys of every name a member signs in with in `tenant`: email and agent ID.
    public static func signInNames(of member: Member, in tenant: TenantSlug) -> [String] {
        var keys = [account(.email(member.user.email.value, tenant: nil))]
        if let agentID = member.membership.agentID {
            keys.append(account(.agentID(agentID.value, tenant: tenant.rawValue)))
        }
        return keys
    }

    /// Every key a member's guesses are counted under in `tenant` (what an unlock clears).
    public static func all(for member: Member, in tenant: TenantSlug) -> [String] {
        signInNames(of: member, in: tenant) + [passwordChange(member.user.id), secondFactor(member.user.id)]
    }
}
