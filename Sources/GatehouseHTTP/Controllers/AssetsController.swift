import Foundation
import Hummingbird

/// The style sheet of the pages, read once at start-up and served from memory.
struct AssetsController: Sendable {
    let stylesheet: ByteBuffer

    static func load() throws -> AssetsController {
        guard let url = Optional(Bundle.module.bundleURL.appendingPathComponent("Resources/assets/gatehouse.css")) else {
            throw PageRendererError(description: "the style sheet is missing from the GatehouseHTTP bundle")
        }
        return AssetsController(stylesheet: ByteBuffer(bytes: try Data(contentsOf: url)))
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("assets/gatehouse.css") { _, _ in
            Response(status: .ok,
                     headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: ResponseBody(byteBuffer: stylesheet))
        }
    }
}
