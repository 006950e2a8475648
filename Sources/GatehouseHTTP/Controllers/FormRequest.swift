import Hummingbird

/// Reads an HTML form post (`application/x-www-form-urlencoded`) into `Form`, refusing bodies
/// over the context's upload size and forms that do not parse.
enum FormRequest {
    static func read<Form: Decodable>(_ type: Form.Type, from request: Request, context: AppRequestContext) async throws -> Form {
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        do { return try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body)) } catch {
            throw HTTPError(.badRequest, message: "The form could not be read.")
        }
    }
}
