import EtcdTestHarness
import Testing

@Suite("LoopbackPorts")
struct LoopbackPortsTests {
    @Test("Ports are free when handed out and never handed out twice")
    func uniqueFreePorts() throws {
        let first = try LoopbackPorts.allocate(count: 30)
        let second = try (0..<30).map { _ in try LoopbackPorts.allocate() }
        let all = first + second
        #expect(Set(all).count == all.count)
        #expect(all.allSatisfy { (1024...65535).contains($0) })
        #expect(all.filter { LoopbackPorts.isFree($0) }.count >= all.count - 1, "another process may grab one")
    }
}
