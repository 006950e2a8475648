import GatehouseCore
import Hummingbird

/// The one place where domain errors become HTTP answers.
extension APIError {
    /// The API answer for a domain error, or nil when the error is not a domain one.
    static func from(domain error: any Error) -> APIError? {
        switch error {
        case let error as APIError: return error
        case let error as FieldErrors: return .validation(error.messages)
        case let error as Conflict: return APIError(.conflict, "conflict", error.message, fields: [error.field: error.message])
        case let error as NotFound: return .notFound(error.message)
        case let error as LoginError: return from(login: error)
        case let error as PresenceError: return from(presence: error)
        case let error as PasswordPolicyViolation: return .passwordPolicy(error)
        case let error as PasswordHashingBusy: return .busy(retryAfter: error.retryAfterSeconds)
        case PasswordChangeError.wrongCurrentPassword:
            return APIError(.badRequest, "invalid_current_password", "Your current password is not right.",
                            fields: ["current_password": "is not right"])
        case PasswordChangeError.tooManyAttempts(let seconds): return .tooManyAttempts(retryAfter: seconds)
        case let error as LinkUnusable: return from(link: error)
        case is InvalidMFACode:
            return APIError(.badRequest, "invalid_code", "That code is not right. Type the code your authenticator app shows now.",
                            fields: ["code": "is not a current code of this device"])
        case is MFADisabled: return APIError(.conflict, "mfa_disabled", "Your organisation has turned two-step verification off.")
        case is NotInvited:
            return APIError(.conflict, "not_invited", "This user has already accepted their invitation (or signs in another way).")
        case is MemberDisabled: return APIError(.conflict, "user_disabled", "This user is disabled. Enable them first.")
        case let error as RecoveryRateLimited:
            return APIError(.tooManyRequests, "too_many_requests", "Too many password reset requests. Try again in \(Self.duration(error.retryAfterSeconds)).",
                            headers: [.retryAfter: String(error.retryAfterSeconds)])
        default: return nil
        }
    }

    /// Runs a sign-in step: its ``LoginError``s become API answers; the database's failures
    /// pass on as they are (logged, then answered 500).
    static func answering<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as LoginError {
            if case .unavailable(let underlying) = error { throw underlying }
            throw from(login: error) ?? internalError
        }
    }

    static func from(login error: LoginError) -> APIError? {
        switch error {
        case .invalidCredentials:
            return APIError(.unauthorized, "invalid_credentials", "The username or password is not right.")
        case .tooManyAttempts(let seconds): return .tooManyAttempts(retryAfter: seconds)
        case .sessionLimitReached(let limit):
            var answer = APIError(.conflict, "session_limit_reached",
                                  "You are already signed in on \(limit) \(limit == 1 ? "device" : "devices"), the most your organisation allows. Sign out on another device first.")
            answer.count = limit
            return answer
        case .busy(let seconds): return .busy(retryAfter: seconds)
        case .temporaryPasswordExpired:
            return APIError(.unauthorized, "temporary_password_expired",
                            "Your temporary password has expired. Ask your administrator for a new one.")
        case .flowExpired:
            return APIError(.gone, "flow_expired", "This sign-in took too long or was already completed. Sign in again.")
        case .passwordPolicy(let violation): return .passwordPolicy(violation)
        case .invalidCode(let remaining):
            var answer = APIError(.unauthorized, "invalid_code",
                                  "That code is not right. \(remaining) more \(remaining == 1 ? "try" : "tries") before you must sign in again.")
            answer.count = remaining
            return answer
        case .tooManyCodes:
            return APIError(.tooManyRequests, "too_many_attempts", "Too many wrong codes. Sign in again.")
        case .presenceReasonListRequired: return .presenceReasonListRequired
        case .unavailable: return nil
        }
    }

    /// Links that do not work: unknown 404, spent or expired 410 (the resource existed).
    static func from(link error: LinkUnusable) -> APIError {
        let noun = error.purpose == .invitation ? "invitation" : "password reset link"
        switch error.state {
        case .expired: return APIError(.gone, "link_expired", "This \(noun) has expired.")
        case .used: return APIError(.gone, "link_used", "This \(noun) has already been used.")
        case .replaced: return APIError(.gone, "link_replaced", "This \(noun) was replaced by a newer one.")
        case .valid, .unknown: return APIError(.notFound, "link_not_found", "This \(noun) does not exist.")
        }
    }

    static func tooManyAttempts(retryAfter seconds: Int) -> APIError {
        APIError(.tooManyRequests, "too_many_attempts", "Too many attempts. Try again in \(Self.duration(seconds)).",
                 headers: [.retryAfter: String(seconds)])
    }

    static func busy(retryAfter seconds: Int) -> APIError {
        APIError(.serviceUnavailable, "busy", "Many people are signing in right now. Please try again in a few seconds.",
                 headers: [.retryAfter: String(seconds)])
    }

    static func passwordPolicy(_ error: PasswordPolicyViolation) -> APIError {
        var answer = APIError(.badRequest, "password_policy", "The password does not meet the password rules.")
        answer.violations = error.violations
        return answer
    }

    /// "15 minutes", "30 seconds".
    static func duration(_ seconds: Int) -> String {
        if seconds >= 120 { return "\((seconds + 59) / 60) minutes" }
        return "\(seconds) second\(seconds == 1 ? "" : "s")"
    }

    /// The API answer for Hummingbird's and NIO's own errors (unknown route, body too large …),
    /// by status alone: their messages are not written for clients.
    static func from(status: HTTPResponse.Status) -> APIError {
        switch status {
        case .notFound: return .notFound("There is no such resource.")
        case .methodNotAllowed: return APIError(.methodNotAllowed, "method_not_allowed", "This method is not allowed here.")
        case .contentTooLarge: return APIError(.contentTooLarge, "payload_too_large", "The request body is larger than 1 MiB.")
        case .unsupportedMediaType: return APIError(.unsupportedMediaType, "unsupported_media_type", "Send the body as application/json.")
        case .unauthorized: return .unauthenticated
        case .forbidden: return .forbidden
        case .badRequest: return APIError(.badRequest, "bad_request", "The request is not valid.")
        default:
            let code = status.code >= 500 ? "internal" : "error"
            return APIError(status, code, status.code >= 500 ? APIError.internalError.message : status.reasonPhrase)
        }
    }
}
