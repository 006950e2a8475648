import Foundation
import GatehouseCore

struct EnrollmentJSON: Encodable {
    let enrollmentId: String
    let otpauthUri: String
    let secret: String
    let qrSvg: String
    let expiresAt: Date

    init(_ enrollment: MFAService.Enrollment, now: Date) {
        enrollmentId = enrollment.id.uuidString.lowercased()
        otpauthUri = enrollment.uri
        secret = enrollment.secret
        qrSvg = enrollment.qrSVG
        expiresAt = now.addingTimeInterval(TimeInterval(MFADevice.enrollmentLifetimeSeconds))
    }

    enum CodingKeys: String, CodingKey {
        case enrollmentId = "enrollment_id", otpauthUri = "otpauth_uri", secret, qrSvg = "qr_svg", expiresAt = "expires_at"
    }
}

struct DeviceJSON: Encodable {
    let id: String
    let name: String
    let type = "totp"
    let algorithm: String
    let digits: Int
    let period: Int
    let createdAt: Date
    @NullWhenAbsent var confirmedAt: Date?

    init(_ device: MFADevice) {
        id = device.id.uuidString.lowercased()
        name = device.name
        algorithm = device.parameters.algorithm.rawValue
        digits = device.parameters.digits
        period = device.parameters.period
        createdAt = device.createdAt
        confirmedAt = device.confirmedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, type, algorithm, digits, period, createdAt = "created_at", confirmedAt = "confirmed_at"
    }
}

struct ConfirmedDeviceJSON: Encodable {
    let device: DeviceJSON
    /// Only with the first device, shown this once.
    @NullWhenAbsent var recoveryCodes: [String]?

    enum CodingKeys: String, CodingKey { case device, recoveryCodes = "recovery_codes" }
}

struct DeviceListJSON: Encodable {
    let devices: [DeviceJSON]
    let recoveryCodesLeft: Int
    enum CodingKeys: String, CodingKey { case devices, recoveryCodesLeft = "recovery_codes_left" }
}

struct RecoveryCodesJSON: Encodable {
    let recoveryCodes: [String]
    enum CodingKeys: String, CodingKey { case recoveryCodes = "recovery_codes" }
}
