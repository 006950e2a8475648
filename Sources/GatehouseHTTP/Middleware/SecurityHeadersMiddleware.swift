import Foundation
import HTTPTypes
import Hummingbird

/// Headers every answer carries. Pages may not be framed (clickjacking), MIME types are not
/// sniffed, no referrer leaks tokens in URLs (the set-up link carries one), and the
/// Content-Security-Policy allows only Gatehouse's own style sheet, scripts and forms.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// The strict policy with forms also allowed to post to `origins` (other regions' login pages).
    static func policy(formActions origins: [String]) -> String {
        contentSecurityPolicy.replacingOccurrences(of: "form-action 'self'", with: (["form-action 'self'"] + origins).joined(separator: " "))
    }

    /// The apps page shows icons the tenant's administrators chose, from any web site.
    static let appsPagePolicy = contentSecurityPolicy.replacingOccurrences(of: "img-src 'self' data:", with: "img-src 'self' data: https: http:")

    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        // A page may widen one directive for itself (the apps page's icons); all others get the strict one.
        if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
