import Foundation
import Synchronization
import Testing

@testable import EtcronExecutor

/// The per-host gate in front of the HTTP client: pure logic, no network.
@Suite("HTTPHostGate")
struct HTTPHostGateTests {
    static let host = "http://target.example:80"

    /// Waits until `gate` has `waiting` requests waiting for `host`.
    static func waitUntil(_ gate: HTTPHostGate, waiting: Int, host: String = host) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while gate.load(host).waiting != waiting {
            guard ContinuousClock.now < deadline else {
                Issue.record("\(gate.load(host).waiting) waiting, not \(waiting)")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test("at most `permits` requests per host are inside; the others wait and enter, first come first served, as places free")
    func permitsAndOrder() async throws {
        let gate = HTTPHostGate(permits: 2)
        #expect(await gate.enter(Self.host))
        #expect(await gate.enter(Self.host))
        #expect(gate.load(Self.host) == (inside: 2, waiting: 0))
        let entered = EntryLog()
        var waiters: [Task<Void, Never>] = []
        for index in 0..<3 {
            waiters.append(Task {
                let inside = await gate.enter(Self.host)
                entered.append(inside ? index : -1)
            })
            try await Self.waitUntil(gate, waiting: index + 1)
        }
        #expect(entered.entries.isEmpty, "nobody enters while the places are taken")
        gate.leave(Self.host)
        await waiters[0].value
        #expect(entered.entries == [0])
        #expect(gate.load(Self.host) == (inside: 2, waiting: 2), "the place passed to the first waiter")
        gate.leave(Self.host)
        gate.leave(Self.host)
        await waiters[1].value
        await waiters[2].value
        #expect(entered.entries == [0, 1, 2])
        gate.leave(Self.host)
        gate.leave(Self.host)
        #expect(gate.load(Self.host) == (inside: 0, waiting: 0))
        #expect(gate.hostCount == 0, "an idle gate keeps no host")
    }

    @Test("hosts do not share places")
    func hostsApart() async {
        let gate = HTTPHostGate(permits: 1)
        #expect(await gate.enter(Self.host))
        #expect(await gate.enter("https://other.example:443"))
        #expect(gate.load(Self.host) == (inside: 1, waiting: 0))
        gate.leave(Self.host)
        gate.leave("https://other.example:443")
        #expect(gate.hostCount == 0)
    }

    @Test("a waiter whose task is cancelled leaves the queue without a place; the next waiter gets the place freed")
    func cancelledWaiter() async throws {
        let gate = HTTPHostGate(permits: 1)
        #expect(await gate.enter(Self.host))
        let cancelled = Task { await gate.enter(Self.host) }
        try await Self.waitUntil(gate, waiting: 1)
        let next = Task { await gate.enter(Self.host) }
        try await Self.waitUntil(gate, waiting: 2)
        cancelled.cancel()
        #expect(await cancelled.value == false)
        #expect(gate.load(Self.host) == (inside: 1, waiting: 1))
        gate.leave(Self.host)
        #expect(await next.value)
        gate.leave(Self.host)
        #expect(gate.hostCount == 0)
        // A task cancelled before it asks gets no place either, and waits for none.
        #expect(await gate.enter(Self.host))
        let late = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await gate.enter(Self.host)
        }
        #expect(await late.value == false)
        gate.leave(Self.host)
        #expect(gate.hostCount == 0)
    }

    @Test("the connections-per-host setting sizes the client's gate; settings with the same count share one client")
    func connectionsPerHost() {
        #expect(TargetRunnerSettings().http.gate.permits == 32)
        let three = TargetRunnerSettings(httpConnectionsPerHost: 3)
        #expect(three.http.gate.permits == 3)
        #expect(TargetRunnerSettings(httpConnectionsPerHost: 3).http.gate === three.http.gate)
        #expect(TargetRunnerSettings(httpConnectionsPerHost: 3).http.client === three.http.client)
        #expect(TargetRunnerSettings().http.client !== three.http.client)
    }

    @Test("an http attempt waiting at the gate is cut short by its cancellation (a stop or a timeout) without reaching the target")
    func exchangeWaiting() async throws {
        let gate = HTTPHostGate(permits: 1)
        let exchange = HTTPExchange(
            url: URL(string: "http://target.example:8080/run")!, method: "POST", headers: [], body: Data(), addresses: [[10, 0, 0, 1]],
            capacity: 1024, vet: { _ in .success([[10, 0, 0, 1]]) }, http: HTTPTargetClient.shared().gated(by: gate))
        let host = "http://target.example:8080"
        #expect(await gate.enter(host))
        let attempt = Task { await exchange.perform() }
        try await Self.waitUntil(gate, waiting: 1, host: host)
        attempt.cancel()
        let completion = await attempt.value
        #expect(completion.error is CancellationError && completion.status == nil && completion.sentAt == nil)
        #expect(gate.load(host) == (inside: 1, waiting: 0))
        gate.leave(host)
        #expect(gate.hostCount == 0)
    }
}

/// The order in which waiters got into the gate.
private final class EntryLog: Sendable {
    private let log = Mutex<[Int]>([])

    func append(_ entry: Int) { log.withLock { $0.append(entry) } }

    var entries: [Int] { log.withLock { $0 } }
}
