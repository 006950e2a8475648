@testable import GatehouseHTTP
import GatehouseCore
import HTTPTypes
import Hummingbird
import Testing

@Suite struct ErrorMappingTests {
    @Test func fullHashingQueue_is503WithRetryAfter() throws {
        let answer = try #require(APIError.from(domain: PasswordHashingBusy(retryAfterSeconds: 4)))
        #expect(answer.status == .serviceUnavailable)
        #expect(answer.code == "busy")
        #expect(answer.headers[.retryAfter] == "4")
        let login = try #require(APIError.from(domain: LoginError.busy(retryAfterSeconds: 2)))
        #expect(login.status == .serviceUnavailable)
    }

    @Test func lockout_is429WithRetryAfter_andPolicyListsEveryRule() throws {
        let locked = try #require(APIError.from(domain: LoginError.tooManyAttempts(retryAfterSeconds: 900)))
        #expect(locked.status == .tooManyRequests)
        #expect(locked.headers[.retryAfter] == "900")
        #expect(locked.message.contains("15 minutes"))
        let policy = try #require(APIError.from(domain: PasswordPolicyViolation([.tooShort(8), .containsUsername])))
        #expect(policy.code == "password_policy")
        #expect(policy.violations?.map(\.code) == ["too_short", "contains_username"])
    }

    @Test func databaseFailuresDuringSignIn_areNotDomainAnswers() {
        struct Broken: Error {}
        #expect(APIError.from(domain: LoginError.unavailable(Broken())) == nil)
        #expect(APIError.from(domain: Broken()) == nil)
    }
}
