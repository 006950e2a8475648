public import Foundation

/// A person. Their place in each tenant is a ``Membership``; credentials hang off the person.
public struct User: Sendable, Equatable {
    public let id: UserID
    public var email: EmailAddress
    public var firstName: String
    public var lastName: String
    public var phone: PhoneNumber?
    public var language: LanguageTag
    /// The tenant a person lands in when they sign in with their email and no tenant.
    public var defaultTenantID: TenantID
    /// The person's last browser microphone check, nil until they made one.
    public var microphoneCheck: MicrophoneCheck?
    public let createdAt: Date
    public var updatedAt: Date

    public init(id: UserID = UserID(), email: EmailAddress, firstName: String, lastName: String,
                phone: PhoneNumber?, language: LanguageTag, defaultTenantID: TenantID, microphoneCheck: MicrophoneCheck? = nil,
                createdAt: Date, updatedAt: Date) {
        self.id = id
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.phone = phone
        self.language = language
        self.defaultTenantID = defaultTenantID
        self.microphoneCheck = microphoneCheck
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
