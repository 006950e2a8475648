/// Why a Presence Reason list or a presence change was refused.
public enum PresenceError: Error, Sendable, Equatable {
    /// The tenant already has a list of that name (compared case-insensitively).
    case nameTaken
    /// The list is assigned to `members` members, or is the tenant's default: name a
    /// replacement to delete it.
    case listInUse(members: Int, isDefault: Bool)
    /// The member has no Presence Reason list (none assigned and no tenant default).
    case listRequired
    /// The reason is not one of the member's list.
    case unknownReason
}
