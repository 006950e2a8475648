import Foundation
import GatehouseCore
import Hummingbird

/// A request's JSON object, read field by field so that every wrongly typed field is reported
/// together (as `validation_failed`) and so that an absent field and `null` stay different
/// (PATCH clears with `null`).
struct JSONRequest {
    private let values: [String: JSONValue]
    private(set) var errors = FieldErrors()

    /// Reports a field that is well typed but not allowed with the others.
    mutating func reject(_ key: String, _ message: String) { errors.add(key, message) }

    /// Reads the body: it must be `application/json`, at most the context's upload size, and an object.
    static func read(_ request: Request, context: some RequestContext) async throws -> JSONRequest {
        // Required, not assumed: a body without a type is what cross-site requests without a
        // CORS preflight can send.
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("application/json") else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "Send the body as application/json.")
        }
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let value: JSONValue
        do { value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: buffer)) } catch {
            throw APIError.invalidJSON("The request body is not valid JSON.")
        }
        guard case .object(let object) = value else { throw APIError.invalidJSON("The request body must be a JSON object.") }
        return JSONRequest(values: object)
    }

    init(values: [String: JSONValue]) { self.values = values }

    /// A string field; absent or null gives nil.
    mutating func string(_ key: String) -> String? {
        switch values[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default:
            errors.add(key, "must be a string")
            return nil
        }
    }

    /// A boolean; absent or null gives false.
    mutating func bool(_ key: String) -> Bool {
        switch values[key] {
        case nil, .null?: return false
        case .bool(let flag)?: return flag
        default:
            errors.add(key, "must be true or false")
            return false
        }
    }

    /// The raw object (settings PATCH merges it as is).
    var object: [String: JSONValue] { values }

    /// A field PATCH may set, clear with null, or leave out.
    mutating func update(_ key: String, digits: Bool = false) -> FieldUpdate<String> {
        switch values[key] {
        case nil: return .keep
        case .null?: return .clear
        default:
            let text = digits ? self.digits(key) : string(key)
            return text.map(FieldUpdate.set) ?? .keep
        }
    }

    /// A string of digits, also accepted as a JSON integer (agent IDs: `"1001"` or `1001`).
    mutating func digits(_ key: String) -> String? {
        if case .number(let number)? = values[key] {
            guard number >= 0, number == number.rounded(), number < 1e15 else {
                errors.add(key, "must be 1 to 20 digits (0-9)")
                return nil
            }
            return String(Int64(number))
        }
        return string(key)
    }

    /// An array of strings; absent or null gives nil.
    mutating func strings(_ key: String) -> [String]? {
        switch values[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            var result: [String] = []
            for item in items {
                guard case .string(let text) = item else {
                    errors.add(key, "must be an array of strings")
                    return nil
                }
                result.append(text)
            }
            return result
        default:
            errors.add(key, "must be an array of strings")
            return nil
        }
    }

    /// Throws `validation_failed` for wrongly typed fields, merged with the domain's own checks
    /// run by `body`, so a client sees every problem at once.
    func validate<T>(_ body: () throws -> T) throws -> T {
        do {
            let result = try body()
            if !errors.isEmpty { throw APIError.validation(errors.messages) }
            return result
        } catch let domain as FieldErrors {
            var all = errors
            for (field, message) in domain.messages { all.add(field, message) }
            throw APIError.validation(all.messages)
        }
    }
}
