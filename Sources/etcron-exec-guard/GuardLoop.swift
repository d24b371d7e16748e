import CProcessControl
import ExecGuardWire
import SpawnSupport

#if canImport(Glibc)
import Glibc
#endif

/// The guard's one thread: requests in, targets started, exits and answers out.
///
/// Answers are gathered while a batch of requests and exits is handled, and written
/// together: one write for many starts at the top of the hour.
struct GuardLoop {
    let socket: Int32
    let childSignals: Int32
    /// The signals the guard ignores, reset for each target.
    let ignoredSignals: [Int32]
    /// Runs whose leader is not yet reaped: run id by pid, and pid by run id.
    private var runs: [pid_t: UInt64] = [:]
    private var pids: [UInt64: pid_t] = [:]
    private var frames = FrameBuffer()
    /// Output pipes received and not yet matched with their start request, oldest first.
    private var outputs: [Int32] = []
    private var answers: [UInt8] = []

    init(socket: Int32, childSignals: Int32, ignoredSignals: [Int32]) {
        self.socket = socket
        self.childSignals = childSignals
        self.ignoredSignals = ignoredSignals
    }

    mutating func run() -> Never {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        var fds = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0), pollfd(fd: childSignals, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                fail("poll: \(String(cString: strerror(errno)))")
            }
            if fds[1].revents != 0 { reapExited() }
            if fds[0].revents != 0 {
                switch GuardSocket.receive(socket, into: &frames, scratch: scratch) {
                case .data(let descriptors):
                    outputs.append(contentsOf: descriptors)
                    handleRequests()
                case .endOfFile:
                    stopAll()
                case .failure(let number):
                    if number == EAGAIN { break }
                    stopAll()
                }
            }
            flush()
        }
    }

    private mutating func handleRequests() {
        while true {
            let body: ArraySlice<UInt8>
            do {
                guard let next = try frames.next() else { return }
                body = next
            } catch {
                abort("corrupt frame from the executor: \(error)")
            }
            let request: GuardRequest
            do {
                request = try GuardRequest(body: body)
            } catch {
                abort("corrupt request from the executor: \(error)")
            }
            switch request {
            case .start(let id, let path, let argv, let environment, let directory):
                start(id: id, path: path, argv: argv, environment: environment, directory: directory)
            case .signal(let request, let run, let number):
                let sent = pids[run].map { kill(-$0, number) == 0 } ?? false
                answer(.signalled(request: request, sent: sent))
            }
        }
    }

    private mutating func start(id: UInt64, path: String, argv: [String], environment: [String], directory: String) {
        guard !outputs.isEmpty else {
            answer(.failed(id: id, errno: EBADMSG, what: "the start request came without its output pipe"))
            return
        }
        let output = outputs.removeFirst()
        defer { close(output) }
        switch TargetSpawn.spawn(
            path: path, argv: argv, environment: environment, workingDirectory: directory, output: output, ignoredSignals: ignoredSignals)
        {
        case .success(let pid):
            runs[pid] = id
            pids[id] = pid
            answer(.started(id: id, pid: pid))
        case .failure(let failure):
            answer(.failed(id: id, errno: failure.errno, what: failure.what))
        }
    }

    /// Every child that has exited: kills what its leader left in the group while the
    /// leader is still a zombie, reaps it and reports its status.
    private mutating func reapExited() {
        var signalInfo = signalfd_siginfo()
        while read(childSignals, &signalInfo, MemoryLayout<signalfd_siginfo>.size) > 0 {}
        while true {
            var info = siginfo_t()
            let result = waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT)
            if result == -1 && errno == EINTR { continue }
            let pid = info._sifields._sigchld.si_pid
            guard result == 0, pid > 0 else { return }
            _ = kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            if let id = runs.removeValue(forKey: pid) {
                pids[id] = nil
                answer(.exited(id: id, status: status))
            }
        }
    }

    private mutating func answer(_ event: GuardEvent) {
        answers.append(contentsOf: event.frame)
    }

    private mutating func flush() {
        guard !answers.isEmpty else { return }
        let error = GuardSocket.send(socket, answers)
        answers.removeAll(keepingCapacity: true)
        if error != 0 { stopAll() }
    }

    /// The executor sent what it cannot have meant: answers what came before, then ends
    /// every run and the guard.
    private mutating func abort(_ message: String) -> Never {
        killAll()
        flush()
        fail(message)
    }

    private func killAll() {
        for pid in runs.keys { _ = kill(-pid, SIGKILL) }
    }

    /// The executor is gone (or its socket failed): nothing it started may run on.
    private func stopAll() -> Never {
        killAll()
        exit(0)
    }
}
