import Foundation
import Hummingbird

/// The pages' style sheet and scripts, read once at start-up and served from memory.
struct AssetsController: Sendable {
    let files: [String: (type: String, body: ByteBuffer)]

    static let served: [(name: String, type: String)] = [
        ("gatehouse.css", "text/css; charset=utf-8"),
        ("password-rules.js", "text/javascript; charset=utf-8"),
        ("microphone.js", "text/javascript; charset=utf-8"),
    ]

    static func load() throws -> AssetsController {
        var files: [String: (type: String, body: ByteBuffer)] = [:]
        for (name, type) in served {
            let url = Bundle.module.bundleURL.appendingPathComponent("Resources/assets/\(name)")
            guard let data = try? Data(contentsOf: url) else {
                throw PageRendererError(description: "\(name) is missing from the GatehouseHTTP bundle")
            }
            files[name] = (type, ByteBuffer(bytes: data))
        }
        return AssetsController(files: files)
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        for (name, file) in files {
            router.get("assets/\(name)") { _, _ in
                Response(status: .ok, headers: [.contentType: file.type, .cacheControl: "public, max-age=3600"],
                         body: ResponseBody(byteBuffer: file.body))
            }
        }
    }
}
