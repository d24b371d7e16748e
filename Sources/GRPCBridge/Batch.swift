import CGRPC

/// One `grpc_call_start_batch`: the ops' out-parameters and send buffers, which must live
/// until the batch's tag completes, and the completion to run then.
///
/// The batch is retained as the tag (see `CompletionQueue`) and owns every pointer it
/// allocated; `deinit` frees them, following the ownership rules that ran clean under
/// LeakSanitizer (destroy send and received buffers, unref status details, pair metadata
/// array init/destroy).
///
/// Every unary call and every stream message makes one, so it is built to allocate little:
/// the receive out-parameters share one block (`Slots`), the ops array is only built on
/// the stack inside `start(on:)`, empty metadata allocates nothing, and the usual
/// completion (resuming a waiting task) is stored as a continuation, not a closure.
final class Batch: @unchecked Sendable {
    // Safe to share: the batch is filled on the starting thread before `start_batch`, read by
    // the poller thread only after the core reports completion (the core's own
    // synchronisation orders the two), and read again by the resumed task after that.

    /// The ops this batch carries.
    private struct Ops: OptionSet {
        let rawValue: UInt8
        static let sendInitialMetadata = Ops(rawValue: 1 << 0)
        static let sendMessage = Ops(rawValue: 1 << 1)
        static let sendClose = Ops(rawValue: 1 << 2)
        static let receiveInitialMetadata = Ops(rawValue: 1 << 3)
        static let receiveMessage = Ops(rawValue: 1 << 4)
        static let receiveStatus = Ops(rawValue: 1 << 5)
    }

    /// The receive ops' out-parameters, allocated together at a fixed address.
    private struct Slots {
        var initialMetadata = grpc_metadata_array()
        var trailingMetadata = grpc_metadata_array()
        var statusCode = GRPC_STATUS_UNKNOWN
        var statusDetails = grpc_empty_slice()
        var errorString: UnsafePointer<CChar>?
        var receivedMessage: UnsafeMutablePointer<grpc_byte_buffer>?
    }

    /// The most ops one batch can carry (one of each kind).
    private static let maximumOps = 6

    private var ops: Ops = []
    private var sendMetadata: UnsafeMutablePointer<grpc_metadata>?
    private var sendMetadataCount = 0
    private var sendMetadataFlags: UInt32 = 0
    private var sendBuffer: UnsafeMutablePointer<grpc_byte_buffer>?
    private var slots: UnsafeMutablePointer<Slots>?
    private var continuation: UnsafeContinuation<Bool, Never>?

    /// Runs on the poller thread when the tag completes, unless the batch was started by
    /// `GRPCCall.run` (which resumes its task instead); must be tiny and must not block.
    var onComplete: (@Sendable (Bool) -> Void)?

    init() {}

    /// Whether the batch has a send op (initial metadata, message or half-close).
    var sends: Bool { !ops.isDisjoint(with: [.sendInitialMetadata, .sendMessage, .sendClose]) }

    /// Whether the batch has a receive op (initial metadata, message or status).
    var receives: Bool { !ops.isDisjoint(with: [.receiveInitialMetadata, .receiveMessage, .receiveStatus]) }

    /// Adds SEND_INITIAL_METADATA with the given pairs and flags.
    func sendInitialMetadata(_ pairs: [(String, String)], flags: UInt32) {
        precondition(!ops.contains(.sendInitialMetadata), "one SEND_INITIAL_METADATA per batch")
        ops.insert(.sendInitialMetadata)
        sendMetadataFlags = flags
        guard !pairs.isEmpty else { return }
        let storage = UnsafeMutablePointer<grpc_metadata>.allocate(capacity: pairs.count)
        for (index, pair) in pairs.enumerated() {
            cgrpc_metadata_init(storage + index, pair.0, pair.1)
        }
        sendMetadata = storage
        sendMetadataCount = pairs.count
    }

    /// Adds SEND_MESSAGE with a copy of `bytes`.
    func sendMessage(_ bytes: [UInt8]) {
        precondition(!ops.contains(.sendMessage), "one SEND_MESSAGE per batch")
        ops.insert(.sendMessage)
        sendBuffer = bytes.withUnsafeBytes { raw in
            cgrpc_byte_buffer_create(raw.baseAddress, raw.count)
        }
    }

    /// Adds SEND_CLOSE_FROM_CLIENT (half-close).
    func sendCloseFromClient() {
        ops.insert(.sendClose)
    }

    /// Adds RECV_INITIAL_METADATA; the metadata itself is not kept.
    func receiveInitialMetadata() {
        grpc_metadata_array_init(slot(Offset.initialMetadata))
        ops.insert(.receiveInitialMetadata)
    }

    /// Adds RECV_MESSAGE; read the result with `takeReceivedMessage()` after completion.
    func receiveMessage() {
        _ = receiveSlots()
        ops.insert(.receiveMessage)
    }

    /// Adds RECV_STATUS_ON_CLIENT; read the result with `status()` after completion.
    func receiveStatus() {
        grpc_metadata_array_init(slot(Offset.trailingMetadata))
        ops.insert(.receiveStatus)
    }

    private func receiveSlots() -> UnsafeMutablePointer<Slots> {
        if let slots { return slots }
        let made = UnsafeMutablePointer<Slots>.allocate(capacity: 1)
        made.initialize(to: Slots())
        slots = made
        return made
    }

    /// The fixed address of one out-parameter, for the C core to write to later (an
    /// inout-to-pointer conversion would not guarantee the address outlives the call).
    /// Offsets are computed once: resolving a key path on every call showed up in profiles.
    private func slot<Value>(_ offset: Int) -> UnsafeMutablePointer<Value> {
        (UnsafeMutableRawPointer(receiveSlots()) + offset).assumingMemoryBound(to: Value.self)
    }

    /// Byte offsets of the `Slots` fields.
    private enum Offset {
        static let initialMetadata = MemoryLayout<Slots>.offset(of: \Slots.initialMetadata)!
        static let trailingMetadata = MemoryLayout<Slots>.offset(of: \Slots.trailingMetadata)!
        static let statusCode = MemoryLayout<Slots>.offset(of: \Slots.statusCode)!
        static let statusDetails = MemoryLayout<Slots>.offset(of: \Slots.statusDetails)!
        static let errorString = MemoryLayout<Slots>.offset(of: \Slots.errorString)!
        static let receivedMessage = MemoryLayout<Slots>.offset(of: \Slots.receivedMessage)!
    }

    /// Starts the batch on `call`; on failure the tag will never be delivered, so the
    /// retain taken for it is released here and the caller must fail its waiter itself.
    func start(on call: OpaquePointer) -> grpc_call_error {
        let tag = Unmanaged.passRetained(self).toOpaque()
        // The ops array only has to live through `start_batch`, so it stays on the stack.
        let result = withUnsafeTemporaryAllocation(of: grpc_op.self, capacity: Self.maximumOps) { buffer in
            let count = fill(buffer)
            return grpc_call_start_batch(call, buffer.baseAddress, count, tag, nil)
        }
        if result != GRPC_CALL_OK {
            Unmanaged<Batch>.fromOpaque(tag).release()
        }
        return result
    }

    /// Writes the ops into `buffer`; returns how many.
    private func fill(_ buffer: UnsafeMutableBufferPointer<grpc_op>) -> Int {
        var count = 0
        func next() -> UnsafeMutablePointer<grpc_op> {
            defer { count += 1 }
            return buffer.baseAddress! + count
        }
        if ops.contains(.sendInitialMetadata) {
            cgrpc_op_send_initial_metadata(next(), sendMetadata, sendMetadataCount, sendMetadataFlags)
        }
        if ops.contains(.sendMessage) {
            cgrpc_op_send_message(next(), sendBuffer)
        }
        if ops.contains(.sendClose) {
            cgrpc_op_send_close_from_client(next())
        }
        if ops.contains(.receiveInitialMetadata) {
            cgrpc_op_recv_initial_metadata(next(), slot(Offset.initialMetadata))
        }
        if ops.contains(.receiveMessage) {
            cgrpc_op_recv_message(next(), slot(Offset.receivedMessage))
        }
        if ops.contains(.receiveStatus) {
            cgrpc_op_recv_status_on_client(
                next(), slot(Offset.trailingMetadata), slot(Offset.statusCode), slot(Offset.statusDetails),
                slot(Offset.errorString))
        }
        return count
    }

    /// Makes completion resume `continuation` with the core's success flag (instead of
    /// running `onComplete`); set before the batch starts.
    func resumeOnCompletion(_ continuation: UnsafeContinuation<Bool, Never>) {
        self.continuation = continuation
    }

    /// Takes the continuation back after a start failed (the tag will never complete).
    func takeContinuation() -> UnsafeContinuation<Bool, Never>? {
        defer { continuation = nil }
        return continuation
    }

    /// Called by the poller thread.
    func complete(success: Bool) {
        if let continuation {
            self.continuation = nil
            continuation.resume(returning: success)
            return
        }
        let handler = onComplete
        onComplete = nil
        handler?(success)
    }

    /// The received message, or nil when the stream ended (no more messages).
    func takeReceivedMessage() -> [UInt8]? {
        guard let slots, let buffer = slots.pointee.receivedMessage else { return nil }
        slots.pointee.receivedMessage = nil
        defer { grpc_byte_buffer_destroy(buffer) }
        return Self.copy(buffer)
    }

    /// The bytes of `buffer`; nil if the core cannot read it.
    private static func copy(_ buffer: UnsafeMutablePointer<grpc_byte_buffer>) -> [UInt8]? {
        let length = grpc_byte_buffer_length(buffer)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: length) { storage, initialized in
            // Copied in C: a slice's start pointer is only valid for the slice variable it
            // was taken from (small slices keep their bytes inline).
            let copied = cgrpc_byte_buffer_copy(buffer, storage.baseAddress, length)
            failed = copied < 0
            initialized = max(0, Int(copied))
        }
        return failed ? nil : bytes
    }

    /// The call's final status; valid once a batch with `receiveStatus()` completed.
    func status() -> GRPCStatus {
        guard let slots, ops.contains(.receiveStatus) else {
            return GRPCStatus(code: .internal, message: "status was not requested")
        }
        var message = ""
        let details = slots.pointee.statusDetails
        if cgrpc_slice_length(details) > 0, let text = grpc_slice_to_c_string(details) {
            message = String(cString: text)
            gpr_free(text)
        }
        if message.isEmpty, let error = slots.pointee.errorString {
            message = String(cString: error)
        }
        return GRPCStatus(code: .init(rawValue: Int(slots.pointee.statusCode.rawValue)), message: message)
    }

    deinit {
        if let metadata = sendMetadata {
            for index in 0..<sendMetadataCount {
                cgrpc_metadata_destroy(metadata + index)
            }
            metadata.deallocate()
        }
        if let buffer = sendBuffer {
            grpc_byte_buffer_destroy(buffer)
        }
        guard let slots else { return }
        if ops.contains(.receiveInitialMetadata) {
            grpc_metadata_array_destroy(slot(Offset.initialMetadata))
        }
        if let buffer = slots.pointee.receivedMessage {
            grpc_byte_buffer_destroy(buffer)
        }
        if ops.contains(.receiveStatus) {
            grpc_metadata_array_destroy(slot(Offset.trailingMetadata))
        }
        if ops.contains(.receiveStatus) {
            grpc_slice_unref(slots.pointee.statusDetails)
            if let text = slots.pointee.errorString {
                gpr_free(UnsafeMutableRawPointer(mutating: text))
            }
        }
        slots.deinitialize(count: 1)
        slots.deallocate()
    }
}
