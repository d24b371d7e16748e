import CGRPC
import Synchronization

/// One `grpc_call`: starts batches on it one at a time and cancels it from any thread.
///
/// The call keeps its channel and completion queue alive; the `grpc_call` is unreferenced
/// when this object goes away, which is after its final status arrived or it was never
/// started.
final class GRPCCall: @unchecked Sendable {
    // Safe to share: `grpc_call_start_batch` is serialised by `lock`, `grpc_call_cancel` is
    // documented as thread-safe, and the pointer is released only in deinit.
    private let pointer: OpaquePointer
    private let lock = Mutex(false)  // true once cancelled
    let id: Int
    let channel: GRPCChannel
    let queue: CompletionQueue

    init(pointer: OpaquePointer, id: Int, channel: GRPCChannel, queue: CompletionQueue) {
        self.pointer = pointer
        self.id = id
        self.channel = channel
        self.queue = queue
    }

    /// Starts `batch` and waits for its completion; returns the core's success flag.
    /// Cancelling the waiting task cancels the whole call.
    func run(_ batch: Batch) async -> Bool {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Bool, Never>) in
                batch.resumeOnCompletion(continuation)
                if start(batch) != GRPC_CALL_OK {
                    batch.takeContinuation()?.resume(returning: false)
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Starts `batch` without waiting; its completion runs on the poller thread. Refused
    /// once the channel's queue is shutting down.
    func start(_ batch: Batch) -> grpc_call_error {
        lock.withLock { _ in queue.startIfOpen { batch.start(on: pointer) } }
    }

    /// Cancels the call; pending and later batches complete with a CANCELLED status.
    func cancel() {
        lock.withLock { cancelled in
            guard !cancelled else { return }
            cancelled = true
            _ = grpc_call_cancel(pointer, nil)
        }
    }

    deinit {
        grpc_call_unref(pointer)
    }
}
