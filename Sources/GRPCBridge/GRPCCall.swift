import CGRPC
import Synchronization

/// One `grpc_call`: starts batches on it and cancels it from any thread.
///
/// The core requires `grpc_call_start_batch` to be serialised per call, but lets batches
/// that only send be serialised apart from batches that only receive (grpc.h). A stream's
/// sender and receiver therefore take different locks and never wait for each other: with
/// one lock, a receive waited while a send wrote to the socket inside `start_batch`, and
/// the spinning showed up as a fifth of a keep-alive stream's CPU. Batches that do both
/// (unary calls) take both locks, always send first.
///
/// The call keeps its channel and completion queue alive; the `grpc_call` is unreferenced
/// when this object goes away, which is after its final status arrived or it was never
/// started.
final class GRPCCall: @unchecked Sendable {
    // Safe to share: `grpc_call_start_batch` is serialised by `sendLock`/`receiveLock` as
    // described above, `grpc_call_cancel` is documented as thread-safe, and the pointer is
    // released only in deinit.
    private let pointer: OpaquePointer
    private let sendLock = Mutex(())
    private let receiveLock = Mutex(())
    private let cancelled = Atomic<Bool>(false)
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
        let start = { self.queue.startIfOpen { batch.start(on: self.pointer) } }
        switch (batch.sends, batch.receives) {
        case (true, false): return sendLock.withLock { _ in start() }
        case (false, true): return receiveLock.withLock { _ in start() }
        default: return sendLock.withLock { _ in receiveLock.withLock { _ in start() } }
        }
    }

    /// Cancels the call (once); pending and later batches complete with a CANCELLED status.
    func cancel() {
        if cancelled.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged {
            _ = grpc_call_cancel(pointer, nil)
        }
    }

    deinit {
        grpc_call_unref(pointer)
    }
}
