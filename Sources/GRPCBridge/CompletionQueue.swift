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

    /// Begins shutdown; the poller drains outstanding tags and exits. Every call on this
    /// queue must already be finished or cancelled, or this waits for them.
    func shutdown() {
        let first = state.withLock { state -> Bool in
            guard case .running = state else { return false }
            state = .shuttingDown
            return true
        }
        if first {
            grpc_completion_queue_shutdown(pointer)
        }
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
