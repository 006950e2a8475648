import Foundation
public import GatehouseCore
public import Hummingbird

/// An error answered as `{"error": code, "message": text}` (plus `fields` for validation and
/// conflicts). The only error shape API clients ever see.
public struct APIError: HTTPResponseError {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var fields: [String: String]?
    /// For `password_policy`: every rule the password breaks.
    public var violations: [PasswordViolation]?
    public var headers: HTTPFields
    /// The figure a page puts in its own words (devices allowed, codes left); not in the JSON.
    public var count: Int?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String,
                fields: [String: String]? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers
    }

    private struct Body: Encodable {
        let error: String
        let message: String
        let fields: [String: String]?
        /// Codes of the broken rules, and the same with sentences for display.
        let violations: [String]?
        let details: [Detail]?
    }

    private struct Detail: Encodable {
        let code: String
        let message: String
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(error: code, message: message, fields: fields, violations: violations?.map(\.code),
                        details: violations?.map { Detail(code: $0.code, message: $0.message) })
        var response = try JSONResponse.make(status: status, body)
        response.headers.append(contentsOf: headers)
        return response
    }

    public static let unauthenticated = APIError(
        .unauthorized, "unauthenticated", "Sign in or send a valid API token: Authorization: Bearer <token>.",
        headers: [.wwwAuthenticate: "Bearer realm=\"gatehouse\""])
    /// For routes that only a browser session can use: no bearer challenge.
    public static let notSignedIn = APIError(.unauthorized, "unauthenticated", "You are not signed in, or your session has ended. Sign in again.",
                                             headers: [.wwwAuthenticate: "Cookie realm=\"gatehouse\", form-action=\"/login\""])
    public static let crossOrigin = APIError(.forbidden, "cross_origin", "Requests from other sites may not use your session.")
    public static let reauthenticationRequired = APIError(.forbidden, "reauthentication_required",
        "Confirm your password first (POST /api/v1/session/reauthenticate); it counts for 5 minutes.")
    public static let forbidden = APIError(.forbidden, "forbidden", "You are not allowed to do this in this tenant.")
    public static func notFound(_ message: String = "Not found.") -> APIError { APIError(.notFound, "not_found", message) }
    public static func invalidJSON(_ message: String) -> APIError { APIError(.badRequest, "invalid_json", message) }
    public static func validation(_ fields: [String: String]) -> APIError {
        let names = fields.keys.sorted().joined(separator: ", ")
        return APIError(.badRequest, "validation_failed", "Some fields are not valid: \(names).", fields: fields)
    }
    public static let internalError = APIError(.internalServerError, "internal", "Something went wrong on our side. Please try again.")
}
