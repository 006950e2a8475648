import GatehouseCore
import GatehouseLocalization
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
            let (title, text) = Self.pageTexts(apiError.status)
            var response = try pages.message(request, status: apiError.status, title: title, message: text)
            response.headers.append(contentsOf: apiError.headers.filter { $0.name == .retryAfter })
            return response
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

    /// The catalog keys of an error page's title and text, by status alone: the error's own
    /// message is written for API clients.
    static func pageTexts(_ status: HTTPResponse.Status) -> (String, String) {
        switch status {
        case .notFound, .methodNotAllowed: ("error_page.not_found", "error_page.not_found_text")
        case .forbidden: ("error_page.forbidden", "error_page.forbidden_text")
        case .badRequest: ("error_page.bad_request", "error_page.bad_request_text")
        default: status.code >= 500 ? ("error_page.server", "error_page.server_text") : ("error_page.failed", "error_page.failed_text")
        }
    }
}
