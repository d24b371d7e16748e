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
    /// Once `wakeUp` becomes readable (the leader has exited), `onWake` is called (it kills
    /// what is left of the group), then reading goes on for at most `drainWindow`: a
    /// process that left the group may hold the pipe open forever, and the run must still
    /// end.
    static func drain(
        _ fd: Int32, wakeUp: Int32, capacity: Int, drainWindow: Duration, onWake: () -> Void = {}
    ) -> OutputRingBuffer {
        // Not zeroed: its pages are touched only by output that comes (most targets
        // print little or nothing, and a zeroed 64 KiB buffer cost 16 page faults a run).
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer {
            chunk.deallocate()
            close(fd)
        }
        var ring = OutputRingBuffer(capacity: capacity)
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
                let count = read(fd, chunk.baseAddress, chunk.count)
                if count > 0 {
                    ring.append(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
                    continue
                }
                if count == 0 { break }
                if errno != EINTR && errno != EAGAIN { break }
            }
            if deadline == nil, fds[1].revents != 0 {
                onWake()
                deadline = .now + drainWindow
            }
        }
        return ring
    }
}
