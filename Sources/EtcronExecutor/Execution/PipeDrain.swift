import EtcronCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a child's output pipe to its end on the calling (dedicated) thread.
enum PipeDrain {
    /// Size of the one read buffer each drain uses.
    static let chunkSize = 64 * 1024

    /// Reads `fd` into a ring buffer of `capacity` bytes until end of file, then closes it.
    ///
    /// Once `wakeUp` becomes readable (the leader has exited and its group was killed),
    /// reading goes on for at most `drainWindow`: a process that left the group may hold
    /// the pipe open forever, and the run must still end.
    static func drain(_ fd: Int32, wakeUp: Int32, capacity: Int, drainWindow: Duration) -> OutputRingBuffer {
        defer { close(fd) }
        var ring = OutputRingBuffer(capacity: capacity)
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeUp, events: Int16(POLLIN), revents: 0)]
        var deadline: ContinuousClock.Instant?
        while true {
            let timeout: Int32
            if let deadline {
                let left = ContinuousClock.now.duration(to: deadline)
                guard left > .zero else { break }
                timeout = Int32(min((left / .milliseconds(1)).rounded(.up), 3_600_000))
            } else {
                timeout = -1
            }
            // Once the drain window is open, only the output pipe is watched.
            let ready = poll(&fds, deadline == nil ? 2 : 1, timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if ready == 0 { continue }
            if fds[0].revents != 0 {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    chunk.withUnsafeBytes { ring.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
                    continue
                }
                if count == 0 { break }
                if errno != EINTR && errno != EAGAIN { break }
            }
            if deadline == nil, fds[1].revents != 0 {
                deadline = .now + drainWindow
            }
        }
        return ring
    }
}
