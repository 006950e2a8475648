public import Foundation

/// Authenticator-app enrolment, code checks and recovery codes.
public struct MFAService: Sendable {
    let devices: any MFARepository
    let secrets: SecretBox
    let codeKey: @Sendable (String) -> [UInt8]
    let clock: any WallClock
    let random: any RandomSource

    /// - Parameters:
    ///   - secrets: seals TOTP secrets (the `totp` box of the master key).
    ///   - codeKey: the keyed digest recovery codes are stored under (a database alone is not
    ///     enough to test guesses against them).
    public init(devices: any MFARepository, secrets: SecretBox, codeKey: @escaping @Sendable (String) -> [UInt8], clock: any WallClock,
                random: any RandomSource) {
        self.devices = devices
        self.secrets = secrets
        self.codeKey = codeKey
        self.clock = clock
        self.random = random
    }

    /// What the enrolment page and API show, once.
    public struct Enrollment: Sendable {
        public let id: UUID
        public let secret: String
        public let uri: String
        public let qrSVG: String
    }

    public static let recoveryCodeCount = 10

    /// Starts enrolment of a device named `name`.
    /// - Throws: ``FieldErrors`` for a bad name; ``MFADisabled`` when the tenant turned MFA off.
    public func enroll(_ member: Member, in tenant: Tenant, name: String?) async throws -> Enrollment {
        guard TenantSettings(document: tenant.settings).mfa.mode != .off else { throw MFADisabled() }
        var errors = FieldErrors()
        let deviceName = errors.collect("device_name") { () throws(InvalidValue) in
            guard let name, !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw InvalidValue("is required") }
            return try DisplayText(name, maxLength: 60).value
        }
        try errors.throwIfAny()
        let secret = random.bytes(20)
        let id = UUID(), now = clock.now()
        let device = MFADevice(id: id, userID: member.user.id, tenantID: tenant.id, name: deviceName!, parameters: .standard,
                               sealedSecret: secrets.seal(secret, boundTo: MFADevice.sealContext(tenant: tenant.id, id: id)), createdAt: now)
        try await devices.insertEnrollment(device)
        let uri = TOTP.uri(secret: secret, issuer: tenant.displayName, account: member.user.email.value, parameters: .standard)
        let svg = try QRCode(encoding: uri).svg(pixelsPerModule: 5, title: "QR code to scan with your authenticator app")
        return Enrollment(id: id, secret: Base32.encode(secret), uri: uri, qrSVG: svg)
    }

    /// Confirms an enrolment with a code from the app. The first device also gets recovery
    /// codes, returned here once.
    /// - Throws: ``InvalidMFACode``; ``NotFound`` for an unknown or lapsed enrolment.
    public func confirm(_ member: Member, in tenant: Tenant, enrollment id: UUID, code: String,
                        clientIP: String?) async throws -> (device: MFADevice, recoveryCodes: [String]?) {
        let now = clock.now()
        guard var device = try await devices.device(id, user: member.user.id), device.confirmedAt == nil,
              now.timeIntervalSince(device.createdAt) < Double(MFADevice.enrollmentLifetimeSeconds) else {
            throw NotFound("This enrolment has expired or does not exist. Start again.")
        }
        let secret = try secrets.open(device.sealedSecret, boundTo: MFADevice.sealContext(tenant: device.tenantID, id: device.id))
        guard let step = TOTP.matchingStep(code, secret: secret, parameters: device.parameters, at: now, lastUsedStep: nil) else {
            throw InvalidMFACode()
        }
        let first = try await devices.devices(user: member.user.id).isEmpty
        let codes = first ? makeRecoveryCodes() : nil
        let audit = AuditEvent(at: now, tenant: tenant.id, actor: .user(member.user.id), action: .mfaEnroll, target: .user(member.user.id),
                               outcome: .success, clientIP: clientIP, detail: ["device": device.name, "first": String(first)])
        guard try await devices.confirm(id, user: member.user.id, at: now, step: step,
                                        recoveryCodeDigests: codes.map { $0.map { digest(of: $0, user: member.user.id) } }, audit: audit) else {
            throw NotFound("This enrolment has expired or does not exist. Start again.")
        }
        device.confirmedAt = now
        device.lastUsedStep = step
        return (device, codes)
    }

    /// Whether `code` is a current code of one of the person's devices (and records its step).
    public func verify(code: String, for user: UserID) async throws -> Bool {
        let now = clock.now()
        for device in try await devices.devices(user: user) {
            let secret = try secrets.open(device.sealedSecret, boundTo: MFADevice.sealContext(tenant: device.tenantID, id: device.id))
            if let step = TOTP.matchingStep(code, secret: secret, parameters: device.parameters, at: now, lastUsedStep: device.lastUsedStep),
               try await devices.advance(device.id, to: step) {
                return true
            }
        }
        return false
    }

    /// Uses a recovery code (each works once).
    public func useRecoveryCode(_ code: String, for user: UserID) async throws -> Bool {
        try await devices.useRecoveryCode(user: user, digest: digest(of: code, user: user), at: clock.now())
    }

    public func hasDevice(_ user: UserID) async throws -> Bool {
        try await !devices.devices(user: user).isEmpty
    }

    /// New recovery codes; the old ones stop working.
    public func regenerateRecoveryCodes(for member: Member, in tenant: Tenant, clientIP: String?) async throws -> [String] {
        guard try await hasDevice(member.user.id) else { throw NotFound("Set up an authenticator app first.") }
        let codes = makeRecoveryCodes()
        try await devices.replaceRecoveryCodes(user: member.user.id, digests: codes.map { digest(of: $0, user: member.user.id) },
                                               audit: AuditEvent(at: clock.now(), tenant: tenant.id, actor: .user(member.user.id),
                                                                 action: .mfaRecoveryCodes, target: .user(member.user.id), outcome: .success,
                                                                 clientIP: clientIP))
        return codes
    }

    /// `abcde-fghij`: 50 random bits from the base32 alphabet, in lower case for reading aloud.
    func makeRecoveryCodes() -> [String] {
        (0..<Self.recoveryCodeCount).map { _ in
            let text = Base32.encode(random.bytes(7)).prefix(10).lowercased()
            return text.prefix(5) + "-" + text.suffix(5)
        }
    }

    /// Spaces, dashes and case do not matter when a code is typed.
    func digest(of code: String, user: UserID) -> String {
        let normalized = code.lowercased().filter { $0.isLetter || $0.isNumber }
        return codeKey(user.description + ":" + normalized).map { String(format: "%02x", $0) }.joined()
    }
}

/// The code is not a current code of the device.
public struct InvalidMFACode: Error, Sendable {}
/// The tenant's `mfa_policy` is `off`.
public struct MFADisabled: Error, Sendable {}
