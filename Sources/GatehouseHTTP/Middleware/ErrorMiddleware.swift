import GatehouseCore
import Hummingbird
import Logging

/// Turns every error into an answer the client can read: JSON on the API, a page elsewhere.
/// Unexpected errors are logged with the request id and answered with a generic message;
/// nothing of their text reaches the client.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let pages: PageRenderer

    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error, context: context)
            if Self.wantsJSON(request) {
                return try apiError.response(from: request, context: context)
            }
            return try pages.message(status: apiError.status, title: Self.pageTitle(apiError.status), message: apiError.message)
        }
    }

    static func apiError(for error: any Error, context: AppRequestContext) -> APIError {
        if let known = APIError.from(domain: error) { return known }
        if let http = error as? any HTTPResponseError, http.status.code < 500 { return APIError.from(status: http.status) }
        context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
        return .internalError
    }

    /// API paths and clients that ask for JSON get JSON; browsers get pages.
    static func wantsJSON(_ request: Request) -> Bool {
        let path = request.uri.path
        if path.hasPrefix("/api/") || path == "/healthz" || path == "/readyz" { return true }
        let accept = request.headers[.accept] ?? ""
        return accept.contains("application/json") && !accept.contains("text/html")
    }

    static func pageTitle(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "Page not found"
        case .forbidden: "Not allowed"
        case .badRequest: "Something is wrong with this request"
        default: status.code >= 500 ? "Something went wrong" : status.reasonPhrase
        }
    }
}
