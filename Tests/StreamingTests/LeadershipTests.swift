@testable import Streaming
import Testing

@Suite("Scale-out leadership: revocation, regain, claims")
struct LeadershipTests {
    @Test("given the partition back, a term is published under only after the claims were read; a higher claim made meanwhile ends it")
    func regainNeedsVerification() {
        let l = Leadership(regainWindow: .seconds(60))
        l.gain()
        #expect(l.publishingTerm == nil, "no term claimed yet")
        l.setTerm(3)
        #expect(l.publishingTerm == 3)
        l.lose()
        #expect(l.publishingTerm == nil, "revoked: nothing goes out")
        #expect(!l.isOver(term: 3), "within the regain window")
        l.gain()
        #expect(l.needsVerification)
        #expect(l.publishingTerm == nil, "assigned again, the claims not read yet")
        l.verified(othersClaimed: 2)
        #expect(!l.needsVerification)
        #expect(l.publishingTerm == 3, "no higher claim: the term goes on")

        l.lose()
        l.gain()
        l.verified(othersClaimed: 4)   // another member led under 4 while this one was revoked
        #expect(l.publishingTerm == nil)
        #expect(l.isOver(term: 3))
        l.setTerm(5)                   // claimed after reading every claim
        #expect(l.publishingTerm == 5)
    }

    @Test("a revocation longer than the regain window ends the term")
    func revokedTooLong() async throws {
        let l = Leadership(regainWindow: .milliseconds(50))
        l.gain()
        l.setTerm(1)
        l.lose()
        try await Task.sleep(for: .milliseconds(120))
        #expect(l.isOver(term: 1))
    }
}
