import Foundation
public import GatehouseCore
public import GatehouseLocalization
import Mustache

/// An email ready for the transport: subject, plain text and HTML.
public struct RenderedMail: Sendable, Equatable {
    public let subject: String
    public let text: String
    public let html: String
}

/// Renders outbox emails from the Mustache templates in `Resources/mail` in the recipient's
/// language: for each message a `NAME-text` template (first line `Subject: …`, a blank line,
/// the text) and a `NAME-html` template, whose words come from the message catalogs (`t`).
public struct MailRenderer: Sendable {
    let library: MustacheLibrary
    let catalogs: Catalogs

    public static func load(catalogs: Catalogs) async throws -> MailRenderer {
        let directory = Bundle.module.bundleURL.appendingPathComponent("Resources/mail").path
        return MailRenderer(library: try await MustacheLibrary(directory: directory), catalogs: catalogs)
    }

    public func render(_ request: MailRequest) throws -> RenderedMail {
        let localizer = catalogs.localizer(for: Language.matching(request.language) ?? .english)
        var values: [String: Any] = request.values
        // Emails queued before localization carry `valid_for` in English only.
        if let seconds = request.values["valid_for_seconds"].flatMap(Int.init) { values["valid_for"] = localizer.duration(seconds: seconds) }
        values["lang"] = localizer.language.code
        values["t"] = CatalogNode(localizer, values: values)
        guard let textPart = library.render(values, withTemplate: "\(request.template)-text") else {
            throw MailRendererError(description: "no mail template named \(request.template)")
        }
        let (subject, text) = Self.splitSubject(textPart)
        values["subject"] = subject
        let html = library.render(values, withTemplate: "\(request.template)-html") ?? ""
        return RenderedMail(subject: subject, text: text, html: html)
    }

    static func splitSubject(_ rendered: String) -> (String, String) {
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, first.hasPrefix("Subject:") else { return ("", rendered) }
        let subject = first.dropFirst("Subject:".count).trimmingCharacters(in: .whitespaces)
        let body = lines.dropFirst().drop { $0.trimmingCharacters(in: .whitespaces).isEmpty }.joined(separator: "\n")
        return (subject, body)
    }
}

struct MailRendererError: Error, CustomStringConvertible {
    let description: String
}
