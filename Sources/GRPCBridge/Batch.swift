import CGRPC

/// One `grpc_call_start_batch`: the ops' out-parameters and send buffers, which must live
/// until the batch's tag completes, and the completion to run then.
///
/// The batch is retained as the tag (see `CompletionQueue`) and owns every pointer it
/// allocated; `deinit` frees them, following the ownership rules that ran clean under
/// LeakSanitizer (destroy send and received buffers, unref status details, pair metadata
/// array init/destroy).
final class Batch: @unchecked Sendable {
    // Safe to share: the batch is filled on the starting thread before `start_batch`, read by
    // the poller thread only after the core reports completion (the core's own
    // synchronisation orders the two), and read again by the resumed task after that.
    private var ops: [grpc_op] = []
    private var sendMetadata: UnsafeMutablePointer<grpc_metadata>?
    private var sendMetadataCount = 0
    private var sendBuffer: UnsafeMutablePointer<grpc_byte_buffer>?
    private var initialMetadata: UnsafeMutablePointer<grpc_metadata_array>?
    private var receivedMessage: UnsafeMutablePointer<UnsafeMutablePointer<grpc_byte_buffer>?>?
    private var trailingMetadata: UnsafeMutablePointer<grpc_metadata_array>?
    private var statusCode: UnsafeMutablePointer<grpc_status_code>?
    private var statusDetails: UnsafeMutablePointer<grpc_slice>?
    private var errorString: UnsafeMutablePointer<UnsafePointer<CChar>?>?

    /// Runs on the poller thread when the tag completes; must be tiny and must not block.
    var onComplete: (@Sendable (Bool) -> Void)?

    init() {}

    /// Adds SEND_INITIAL_METADATA with the given pairs and flags.
    func sendInitialMetadata(_ pairs: [(String, String)], flags: UInt32) {
        precondition(sendMetadata == nil, "one SEND_INITIAL_METADATA per batch")
        let storage = UnsafeMutablePointer<grpc_metadata>.allocate(capacity: max(pairs.count, 1))
        for (index, pair) in pairs.enumerated() {
            cgrpc_metadata_init(storage + index, pair.0, pair.1)
        }
        sendMetadata = storage
        sendMetadataCount = pairs.count
        var op = grpc_op()
        cgrpc_op_send_initial_metadata(&op, storage, pairs.count, flags)
        ops.append(op)
    }

    /// Adds SEND_MESSAGE with a copy of `bytes`.
    func sendMessage(_ bytes: [UInt8]) {
        let buffer = bytes.withUnsafeBytes { raw in
            cgrpc_byte_buffer_create(raw.baseAddress, raw.count)
        }
        sendBuffer = buffer
        var op = grpc_op()
        cgrpc_op_send_message(&op, buffer)
        ops.append(op)
    }

    /// Adds SEND_CLOSE_FROM_CLIENT (half-close).
    func sendCloseFromClient() {
        var op = grpc_op()
        cgrpc_op_send_close_from_client(&op)
        ops.append(op)
    }

    /// Adds RECV_INITIAL_METADATA; the metadata itself is not kept.
    func receiveInitialMetadata() {
        let array = UnsafeMutablePointer<grpc_metadata_array>.allocate(capacity: 1)
        grpc_metadata_array_init(array)
        initialMetadata = array
        var op = grpc_op()
        cgrpc_op_recv_initial_metadata(&op, array)
        ops.append(op)
    }

    /// Adds RECV_MESSAGE; read the result with `takeReceivedMessage()` after completion.
    func receiveMessage() {
        let slot = UnsafeMutablePointer<UnsafeMutablePointer<grpc_byte_buffer>?>.allocate(capacity: 1)
        slot.initialize(to: nil)
        receivedMessage = slot
        var op = grpc_op()
        cgrpc_op_recv_message(&op, slot)
        ops.append(op)
    }

    /// Adds RECV_STATUS_ON_CLIENT; read the result with `status()` after completion.
    func receiveStatus() {
        let trailing = UnsafeMutablePointer<grpc_metadata_array>.allocate(capacity: 1)
        grpc_metadata_array_init(trailing)
        trailingMetadata = trailing
        let code = UnsafeMutablePointer<grpc_status_code>.allocate(capacity: 1)
        code.initialize(to: GRPC_STATUS_UNKNOWN)
        statusCode = code
        let details = UnsafeMutablePointer<grpc_slice>.allocate(capacity: 1)
        details.initialize(to: grpc_empty_slice())
        statusDetails = details
        let error = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: 1)
        error.initialize(to: nil)
        errorString = error
        var op = grpc_op()
        cgrpc_op_recv_status_on_client(&op, trailing, code, details, error)
        ops.append(op)
    }

    /// Starts the batch on `call`; on failure the tag will never be delivered, so the
    /// retain taken for it is released here and the caller must fail its waiter itself.
    func start(on call: OpaquePointer) -> grpc_call_error {
        let tag = Unmanaged.passRetained(self).toOpaque()
        let result = ops.withUnsafeBufferPointer { buffer in
            grpc_call_start_batch(call, buffer.baseAddress, buffer.count, tag, nil)
        }
        if result != GRPC_CALL_OK {
            Unmanaged<Batch>.fromOpaque(tag).release()
        }
        return result
    }

    /// Called by the poller thread.
    func complete(success: Bool) {
        let handler = onComplete
        onComplete = nil
        handler?(success)
    }

    /// The received message, or nil when the stream ended (no more messages).
    func takeReceivedMessage() -> [UInt8]? {
        guard let slot = receivedMessage, let buffer = slot.pointee else { return nil }
        slot.pointee = nil
        defer { grpc_byte_buffer_destroy(buffer) }
        let length = grpc_byte_buffer_length(buffer)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: length) { storage, initialized in
            let copied = cgrpc_byte_buffer_copy(buffer, storage.baseAddress, length)
            if copied < 0 {
                failed = true
                initialized = 0
            } else {
                initialized = Int(copied)
            }
        }
        return failed ? nil : bytes
    }

    /// The call's final status; valid once a batch with `receiveStatus()` completed.
    func status() -> GRPCStatus {
        guard let code = statusCode, let details = statusDetails else {
            return GRPCStatus(code: .internal, message: "status was not requested")
        }
        var message = ""
        if cgrpc_slice_length(details.pointee) > 0, let text = grpc_slice_to_c_string(details.pointee) {
            message = String(cString: text)
            gpr_free(text)
        }
        if message.isEmpty, let error = errorString?.pointee {
            message = String(cString: error)
        }
        return GRPCStatus(code: .init(rawValue: Int(code.pointee.rawValue)), message: message)
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
        if let array = initialMetadata {
            grpc_metadata_array_destroy(array)
            array.deallocate()
        }
        if let slot = receivedMessage {
            if let buffer = slot.pointee {
                grpc_byte_buffer_destroy(buffer)
            }
            slot.deallocate()
        }
        if let array = trailingMetadata {
            grpc_metadata_array_destroy(array)
            array.deallocate()
        }
        statusCode?.deallocate()
        if let details = statusDetails {
            grpc_slice_unref(details.pointee)
            details.deallocate()
        }
        if let error = errorString {
            if let text = error.pointee {
                gpr_free(UnsafeMutableRawPointer(mutating: text))
            }
            error.deallocate()
        }
    }
}
