import CProcessControl
import EtcronCore
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Drains the output pipes of every exec run a replica started through its guard, on one
/// thread (epoll), instead of a thread per running run.
///
/// Each pipe is read (non-blocking) into its run's `OutputRingBuffer` until end of file,
/// or, once the run's leader has exited (``exited(_:)``), for at most its drain window: a
/// process that left the group may hold the pipe open forever, and the run must still
/// end. Then the pipe is closed and the buffer handed to the run.
final class OutputPump: Sendable {
    /// Something the pump thread is to do, handed over under the lock.
    private enum Command {
        case add(token: UInt64, fd: Int32, capacity: Int, drainWindow: Duration, done: @Sendable (OutputRingBuffer) -> Void)
        case exited(token: UInt64)
    }

    private struct Queue {
        var commands: [Command] = []
        var stopped = false
        /// Set by the thread when it takes the stop, before it closes the eventfd: no write
        /// to it may come after.
        var closed = false
    }

    /// The commands, shared with the thread (which must not keep the pump alive).
    private final class Shared: Sendable {
        let queue = Mutex(Queue())
    }

    /// An eventfd that wakes the thread when commands wait (epoll token 0).
    private let control: Int32
    private let shared = Shared()
    private let lastToken = Atomic<UInt64>(0)

    /// A token for a new run's pipe (never 0, never reused).
    func newToken() -> UInt64 {
        lastToken.add(1, ordering: .relaxed).newValue
    }

    /// Starts the pump's thread; nil if the kernel refuses an epoll instance or an eventfd.
    init?() {
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { return nil }
        let control = etcron_eventfd()
        guard control >= 0 else {
            close(epoll)
            return nil
        }
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(u64: 0))
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, control, &event) == 0 else {
            close(epoll)
            close(control)
            return nil
        }
        self.control = control
        let loop = PumpLoop(epoll: epoll, control: control)
        let shared = shared
        let thread = Thread {
            loop.run {
                shared.queue.withLock { queue in
                    defer { queue.commands = [] }
                    if queue.stopped { queue.closed = true }
                    return (queue.commands, queue.stopped)
                }
            }
        }
        thread.name = "exec-output"
        thread.start()
    }

    deinit {
        stop()
    }

    /// Stops the thread (it closes the epoll instance and the eventfd): runs still
    /// draining end with what they have.
    func stop() {
        submit { $0.stopped = true }
    }

    /// Drains `fd` (the read end of a run's output pipe, now the pump's to close) into a
    /// buffer of `capacity` bytes, handed to `done` at its end.
    func add(token: UInt64, fd: Int32, capacity: Int, drainWindow: Duration, done: @escaping @Sendable (OutputRingBuffer) -> Void) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let accepted = submit { $0.commands.append(.add(token: token, fd: fd, capacity: capacity, drainWindow: drainWindow, done: done)) }
        if !accepted {
            // Stopped: nothing will read it.
            close(fd)
            done(OutputRingBuffer(capacity: capacity))
        }
    }

    /// Run `token`'s leader has exited: its drain window opens.
    func exited(_ token: UInt64) {
        submit { $0.commands.append(.exited(token: token)) }
    }

    /// Applies `change` and wakes the thread, under the lock (see `Queue.closed`); false
    /// once the thread has stopped.
    @discardableResult
    private func submit(_ change: (inout Queue) -> Void) -> Bool {
        let control = control
        return shared.queue.withLock { queue in
            guard !queue.closed else { return false }
            change(&queue)
            var one: UInt64 = 1
            _ = write(control, &one, MemoryLayout<UInt64>.size)
            return true
        }
    }

    /// The thread's state: the pipes being drained. Unchecked: only the pump's thread
    /// touches it after it is made (commands reach it through `Shared`).
    private final class PumpLoop: @unchecked Sendable {
        private struct Drain {
            var fd: Int32
            var ring: OutputRingBuffer
            var drainWindow: Duration
            var deadline: ContinuousClock.Instant?
            var done: @Sendable (OutputRingBuffer) -> Void
        }

        let epoll: Int32
        let control: Int32
        private var drains: [UInt64: Drain] = [:]
        /// Exits reported before their pipe was added.
        private var exitedEarly: Set<UInt64> = []

        init(epoll: Int32, control: Int32) {
            self.epoll = epoll
            self.control = control
        }

        func run(_ take: () -> ([Command], Bool)) {
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: PipeDrain.chunkSize, alignment: 16)
            var events = [epoll_event](repeating: epoll_event(), count: 64)
            defer {
                chunk.deallocate()
                close(epoll)
                close(control)
            }
            while true {
                let count = epoll_wait(epoll, &events, Int32(events.count), timeout())
                if count < 0 && errno != EINTR { break }
                for event in events.prefix(max(0, Int(count))) {
                    let token = event.data.u64
                    if token == 0 {
                        var counter: UInt64 = 0
                        _ = Glibc.read(control, &counter, MemoryLayout<UInt64>.size)
                        let (commands, stopped) = take()
                        apply(commands)
                        if stopped {
                            for token in Array(drains.keys) { finish(token) }
                            return
                        }
                    } else {
                        drain(token, into: chunk)
                    }
                }
                let now = ContinuousClock.now
                for (token, entry) in drains where entry.deadline.map({ $0 <= now }) ?? false {
                    drain(token, into: chunk)
                    finish(token)
                }
            }
        }

        /// Milliseconds to the nearest drain deadline; -1 without one.
        private func timeout() -> Int32 {
            guard let nearest = drains.values.compactMap(\.deadline).min() else { return -1 }
            let left = ContinuousClock.now.duration(to: nearest)
            return left <= .zero ? 0 : Int32(min((left / .milliseconds(1)).rounded(.up), 3_600_000))
        }

        private func apply(_ commands: [Command]) {
            for command in commands {
                switch command {
                case .add(let token, let fd, let capacity, let drainWindow, let done):
                    var drain = Drain(fd: fd, ring: OutputRingBuffer(capacity: capacity), drainWindow: drainWindow, done: done)
                    if exitedEarly.remove(token) != nil { drain.deadline = .now + drainWindow }
                    var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(u64: token))
                    drains[token] = drain
                    if epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0 { finish(token) }
                case .exited(let token):
                    if let window = drains[token]?.drainWindow {
                        if drains[token]?.deadline == nil { drains[token]?.deadline = .now + window }
                    } else {
                        exitedEarly.insert(token)
                    }
                }
            }
        }

        /// Reads what the pipe holds (a few chunks at most, so one chatty run cannot
        /// starve the others; epoll reports it again); ends the drain at end of file.
        private func drain(_ token: UInt64, into chunk: UnsafeMutableRawBufferPointer) {
            guard let fd = drains[token]?.fd else { return }
            for _ in 0..<4 {
                let count = Glibc.read(fd, chunk.baseAddress, chunk.count)
                if count > 0 {
                    drains[token]?.ring.append(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
                    continue
                }
                if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
                finish(token)
                return
            }
        }

        private func finish(_ token: UInt64) {
            guard let drain = drains.removeValue(forKey: token) else { return }
            _ = epoll_ctl(epoll, EPOLL_CTL_DEL, drain.fd, nil)
            close(drain.fd)
            drain.done(drain.ring)
        }
    }
}
