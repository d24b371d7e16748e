import CGRPC
import Foundation
import Synchronization

/// A completion queue polled by one dedicated thread.
///
/// Each batch's tag is a retained `Batch`; the poller takes the retain back and calls the
/// batch's completion, which only resumes a continuation or stores a small result, so the
/// poller never blocks and never calls back into the core.
///
/// Lifetime: `shutdown()` is called by the owning channel once every call is finished or
/// cancelled (or by deinit, when no call refers to the queue any more). The poller thread
/// destroys the queue itself after it sees `GRPC_QUEUE_SHUTDOWN`, so no thread ever waits for
/// itself, whichever thread drops the last reference.
final class CompletionQueue: @unchecked Sendable {
    // Safe to share: the C core documents completion queues as thread-safe; the pointer is
    // written once in init and destroyed by the poller only after shutdown.
    let pointer: OpaquePointer
    private let state = Mutex(State.running)
    private let pollerExited = DispatchSemaphore(value: 0)
    /// Batch starts under way on calls bound to this queue, plus `closedFlag` once shutdown
    /// began; see `startIfOpen`.
    private let starts = Atomic<Int>(0)
    private static let closedFlag = 1 << 62

    private enum State {
        case running
        case shuttingDown
    }

    init(name: String) {
        GRPCRuntime.ensureInitialised()
        pointer = grpc_completion_queue_create_for_next(nil)
        // The poller thread is the queue's only reader of events; see the type's comment.
        nonisolated(unsafe) let queue = pointer
        let exited = pollerExited
        let thread = Thread {
            Self.poll(queue)
            exited.signal()
        }
        thread.name = name
        thread.stackSize = 256 * 1024
        thread.start()
    }

    private static func poll(_ queue: OpaquePointer) {
        while true {
            let event = grpc_completion_queue_next(queue, gpr_inf_future(GPR_CLOCK_REALTIME), nil)
            switch event.type {
            case GRPC_OP_COMPLETE:
                guard let tag = event.tag else { continue }
                let batch = Unmanaged<Batch>.fromOpaque(tag).takeRetainedValue()
                batch.complete(success: event.success != 0)
            case GRPC_QUEUE_SHUTDOWN:
                grpc_completion_queue_destroy(queue)
                return
            default:
                continue
            }
        }
    }

    /// Runs `start` (a `grpc_call_start_batch` on a call bound to this queue) unless the
    /// queue is shutting down, in which case the batch is refused with
    /// `GRPC_CALL_ERROR_COMPLETION_QUEUE_SHUTDOWN` like any other failed start.
    ///
    /// The core aborts the process when a batch starts after its queue was shut down, and a
    /// stream's task can still be about to start one (say, a receive after a message that
    /// arrived just before `close()`) when the channel closes. An atomic counter rather than
    /// a lock keeps concurrent starts from serialising on each other.
    func startIfOpen(_ start: () -> grpc_call_error) -> grpc_call_error {
        let before = starts.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue
        defer { starts.wrappingSubtract(1, ordering: .releasing) }
        guard before & Self.closedFlag == 0 else { return GRPC_CALL_ERROR_COMPLETION_QUEUE_SHUTDOWN }
        return start()
    }

    /// Begins shutdown; the poller drains outstanding tags and exits. Every call on this
    /// queue must already be finished or cancelled, or this waits for them.
    func shutdown() {
        let first = state.withLock { state -> Bool in
            guard case .running = state else { return false }
            state = .shuttingDown
            return true
        }
        guard first else { return }
        // From here on starts are refused; the few already past the check take microseconds.
        starts.bitwiseOr(Self.closedFlag, ordering: .acquiringAndReleasing)
        while starts.load(ordering: .acquiring) & ~Self.closedFlag != 0 {
            sched_yield()
        }
        grpc_completion_queue_shutdown(pointer)
    }

    /// Waits until the poller thread has drained the queue and exited.
    func waitForPollerExit(timeout: DispatchTime) -> Bool {
        let exited = pollerExited.wait(timeout: timeout) == .success
        if exited { pollerExited.signal() }
        return exited
    }

    deinit {
        shutdown()
    }
}
