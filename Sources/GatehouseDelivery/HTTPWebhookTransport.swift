import AsyncHTTPClient
import Foundation
import NIOCore

/// Webhook calls over HTTP(S) with async-http-client. Redirects are not followed (a receiver
/// that moved must be re-registered; following them would let a receiver point Gatehouse at
/// other hosts), and any answer but 2xx counts as a failure to retry.
public final class HTTPWebhookTransport: WebhookTransport {
    let client: HTTPClient
    let timeout: TimeAmount

    public init(timeoutSeconds: Int64 = 10) {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(timeoutSeconds))
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = .seconds(timeoutSeconds)
    }

    public func post(url: String, body: [UInt8], headers: [(String, String)]) async throws(DeliveryFailure) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let status: UInt
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = response.status.code
            // Read (and drop) a little of the answer so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
        } catch {
            throw DeliveryFailure(permanent: false, "could not reach \(url): \(error)")
        }
        guard (200..<300).contains(status) else { throw DeliveryFailure(permanent: false, "the receiver answered HTTP \(status)") }
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}
