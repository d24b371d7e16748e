@testable import EtcronExecutor
import Synchronization
import Testing

/// The fence's short memory of resolved names: one lookup per name per lifetime, failures
/// never kept, a bounded number of names.
@Suite("Host resolutions")
struct HostResolutionsTests {
    final class Lookups: Sendable {
        let names = Mutex<[String]>([])
        let answers: [String: [[UInt8]]]
        init(_ answers: [String: [[UInt8]]]) { self.answers = answers }
        func resolve(_ host: String) -> [[UInt8]] {
            names.withLock { $0.append(host) }
            return answers[host] ?? []
        }
    }

    @Test("a name is looked up once while its addresses are fresh, again once they are not; a failure is looked up every time")
    func lifetime() {
        let lookups = Lookups(["api.example": [[10, 0, 0, 7]]])
        let resolutions = HostResolutions(lifetime: .seconds(5)) { lookups.resolve($0) }
        let start = ContinuousClock.now
        for offset in 0..<4 {
            #expect(resolutions.addresses(of: "api.example", now: start + .seconds(offset)) == [[10, 0, 0, 7]])
        }
        #expect(lookups.names.withLock { $0 } == ["api.example"])
        _ = resolutions.addresses(of: "api.example", now: start + .seconds(5))
        #expect(lookups.names.withLock { $0.count } == 2, "stale after its lifetime")
        #expect(resolutions.addresses(of: "gone.example", now: start).isEmpty)
        #expect(resolutions.addresses(of: "gone.example", now: start).isEmpty)
        #expect(lookups.names.withLock { $0.filter { $0 == "gone.example" }.count } == 2)
    }

    @Test("past its capacity the oldest half of the names goes")
    func capacity() {
        let answers = Dictionary(uniqueKeysWithValues: (0..<6).map { ("h\($0)", [[UInt8(10), 0, 0, UInt8($0)]]) })
        let lookups = Lookups(answers)
        let resolutions = HostResolutions(capacity: 4) { lookups.resolve($0) }
        let start = ContinuousClock.now
        for index in 0..<5 { _ = resolutions.addresses(of: "h\(index)", now: start + .milliseconds(index)) }
        // h0 and h1 (the oldest) went to make room for h4; h2 and h3 are still kept.
        _ = resolutions.addresses(of: "h3", now: start + .milliseconds(10))
        _ = resolutions.addresses(of: "h0", now: start + .milliseconds(10))
        #expect(lookups.names.withLock { $0 } == ["h0", "h1", "h2", "h3", "h4", "h0"])
    }
}
