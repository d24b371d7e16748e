import EtcdTestHarness
import ExecGuardWire
import Foundation
import SpawnSupport
import Testing

@testable import EtcronExecutor

#if canImport(Glibc)
import Glibc
#endif

/// `etcron-exec-guard` refuses what it was not meant to get, saying what and why: a start
/// without its output pipe, a corrupt frame, a start by hand.
@Suite("the exec guard's input")
struct ExecGuardInputTests {
    let guardPath: String

    init() throws {
        let etcron = try EtcronExecutable.locate()
        guardPath = URL(fileURLWithPath: etcron).deletingLastPathComponent().appendingPathComponent(ExecGuard.executableName).path
    }

    /// A guard started on a fresh socket pair (its end as descriptor 3); our end and its pid.
    private func startGuard() throws -> (socket: Int32, pid: pid_t) {
        var ends: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[1], 3)
        GlibcExtensions.closeFrom(&actions, 4)
        let spawned = CleanSpawn.spawn(path: guardPath, argv: ["etcron-exec-guard", "--supervise"], environment: [], actions: &actions, newProcessGroup: true)
        close(ends[1])
        return (ends[0], try spawned.get())
    }

    /// Every event the guard sends until it closes the socket.
    private func events(_ socket: Int32) throws -> [GuardEvent] {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { scratch.deallocate() }
        var frames = FrameBuffer()
        var events: [GuardEvent] = []
        while case .data = GuardSocket.receive(socket, into: &frames, scratch: scratch) {
            while let body = try frames.next() { events.append(try GuardEvent(body: body)) }
        }
        return events
    }

    private func exitStatus(_ pid: pid_t) -> ChildExit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return ChildExit(waitStatus: status)
    }

    @Test("a start without its output pipe is refused; a corrupt frame ends the guard with the reason")
    func corruptRequests() throws {
        let (socket, pid) = try startGuard()
        defer { close(socket) }
        #expect(GuardSocket.send(socket, GuardRequest.start(id: 5, path: "/bin/true", argv: ["true"], environment: [], directory: "/").frame) == 0)
        #expect(GuardSocket.send(socket, [5, 0, 0, 0, 9, 1, 2, 3, 4]) == 0)
        #expect(try events(socket) == [
            .failed(id: 5, errno: EBADMSG, what: "the start request came without its output pipe"),
            .fatal("corrupt request from the executor: kind: 9 is not a request"),
        ])
        #expect(exitStatus(pid) == .exited(127))
    }

    @Test("a frame over the size limit ends the guard with the reason")
    func oversizedFrame() throws {
        let (socket, pid) = try startGuard()
        defer { close(socket) }
        #expect(GuardSocket.send(socket, [0, 0, 0, 0x10]) == 0)
        #expect(try events(socket) == [.fatal("corrupt frame from the executor: frame length: 268435456 bytes is over the 8388608 allowed")])
        #expect(exitStatus(pid) == .exited(127))
    }

    @Test("started by hand, it says how it is meant to be started", arguments: [[], ["--supervise"], ["--supervise", "--run-as", "x"]])
    func byHand(arguments: [String]) throws {
        var errors: [Int32] = [-1, -1]
        try #require(GlibcExtensions.pipe2?(&errors, O_CLOEXEC) == 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        GlibcExtensions.closeFrom(&actions, 3)
        let spawned = CleanSpawn.spawn(
            path: guardPath, argv: ["etcron-exec-guard"] + arguments, environment: [], actions: &actions, newProcessGroup: false)
        close(errors[1])
        defer { close(errors[0]) }
        let pid = try spawned.get()
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = read(errors[0], &chunk, chunk.count)
            if count <= 0 { break }
            text += chunk[..<count]
        }
        #expect(exitStatus(pid) == .exited(127))
        let expected = switch arguments.count {
        case 0: "usage: etcron-exec-guard --supervise [--run-as UID:GID], with the executor's socket as descriptor 3 (started by etcron's executor)"
        case 1: "descriptor 3 is not open: the guard is started by etcron's executor, with its socket there"
        default: "--run-as must be UID:GID, not x"
        }
        #expect(String(decoding: text, as: UTF8.self) == "etcron-exec-guard: \(expected)\n")
    }
}
