import Foundation
public import GatehouseCore
import Mustache

/// An email ready for the transport: subject, plain text and HTML.
public struct RenderedMail: Sendable, Equatable {
    public let subject: String
    public let text: String
    public let html: String
}

/// Renders outbox emails from the Mustache templates in `Resources/mail`: for each message and
/// language a `NAME-LANG-text` template (first line `Subject: …`, a blank line, the text) and a
/// `NAME-LANG-html` template. A language without its own templates falls back to English.
public struct MailRenderer: Sendable {
    let library: MustacheLibrary

    public static func load() async throws -> MailRenderer {
        let directory = Bundle.module.bundleURL.appendingPathComponent("Resources/mail").path
        return MailRenderer(library: try await MustacheLibrary(directory: directory))
    }

    public func render(_ request: MailRequest) throws -> RenderedMail {
        let language = languages(for: request.language).first { library.getTemplate(named: "\(request.template)-\($0)-text") != nil }
        guard let language, let textPart = library.render(request.values, withTemplate: "\(request.template)-\(language)-text") else {
            throw MailRendererError(description: "no mail template named \(request.template)")
        }
        let (subject, text) = Self.splitSubject(textPart)
        var values = request.values
        values["subject"] = subject
        let html = library.render(values, withTemplate: "\(request.template)-\(language)-html") ?? ""
        return RenderedMail(subject: subject, text: text, html: html)
    }

    /// `pt-BR` → `pt-br`, `pt`, `en`.
    private func languages(for tag: String) -> [String] {
        let lowered = tag.lowercased()
        var candidates = [lowered]
        if let primary = lowered.split(separator: "-").first.map(String.init), primary != lowered { candidates.append(primary) }
        candidates.append("en")
        return candidates
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
