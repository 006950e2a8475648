import Foundation
import Hummingbird
import Mustache

/// Renders the server's HTML pages from the Mustache templates in `Resources/templates`.
/// Mustache escapes every `{{value}}`, so user input never becomes markup.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary

    /// Loads every template once at start-up.
    public static func load() async throws -> PageRenderer {
        guard let directory = Optional(Bundle.module.bundleURL.appendingPathComponent("Resources/templates").path) else {
            throw PageRendererError(description: "the templates are missing from the GatehouseHTTP bundle")
        }
        return PageRenderer(library: try await MustacheLibrary(directory: directory))
    }

    /// A full HTML page.
    func render(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok,
                headers: HTTPFields = [:]) throws -> Response {
        guard let html = library.render(values, withTemplate: template) else {
            throw PageRendererError(description: "no template named \(template)")
        }
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// A page with a form: `csrfToken` for its hidden field, and the CSRF cookie when the
    /// browser has none yet.
    func renderForm(_ template: String, _ values: [String: Any], csrf: CSRFProtection, request: Request,
                    status: HTTPResponse.Status = .ok) throws -> Response {
        let (token, cookie) = csrf.token(for: request)
        var values = values
        values["csrfToken"] = token
        var headers: HTTPFields = [:]
        if let cookie { headers[.setCookie] = cookie.description }
        return try render(template, values, status: status, headers: headers)
    }

    /// A page with a title and one message (errors, spent links).
    func message(status: HTTPResponse.Status, title: String, message: String) throws -> Response {
        try render("message", ["title": title, "message": message], status: status)
    }
}

struct PageRendererError: Error, CustomStringConvertible {
    let description: String
}
