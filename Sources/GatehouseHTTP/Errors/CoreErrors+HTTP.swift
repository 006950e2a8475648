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
        default: return nil
        }
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
