import CFDPassing

#if canImport(Glibc)
import Glibc
#endif

/// Writes and reads frames on the exec guard's socket (a Unix stream socket).
public enum GuardSocket {
    /// Writes all of `bytes`, with `descriptor` attached to the first of them when given.
    /// Returns 0, or the errno that stopped it (EAGAIN: the send timeout passed).
    public static func send(_ socket: Int32, _ bytes: [UInt8], passing descriptor: Int32? = nil) -> Int32 {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            var attached = descriptor == nil
            while offset < buffer.count {
                let base = buffer.baseAddress! + offset
                let left = buffer.count - offset
                let sent = attached
                    ? Glibc.send(socket, base, left, Int32(MSG_NOSIGNAL))
                    : etcron_send_with_fd(socket, base, UInt(left), descriptor!)
                if sent < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                attached = true
                offset += sent
            }
            return 0
        }
    }

    /// What one read got.
    public enum Received: Equatable {
        /// Some bytes (appended to the buffer) and descriptors.
        case data(descriptors: [Int32])
        /// The other side closed the socket (or died).
        case endOfFile
        /// The read failed with this errno.
        case failure(Int32)
    }

    /// Reads what is there (blocking until something is) into `frames`, using `scratch`.
    public static func receive(_ socket: Int32, into frames: inout FrameBuffer, scratch: UnsafeMutableRawBufferPointer) -> Received {
        var descriptors = [Int32](repeating: -1, count: 16)
        var count: Int32 = 0
        var read: Int
        repeat {
            read = descriptors.withUnsafeMutableBufferPointer {
                etcron_receive_with_fds(socket, scratch.baseAddress, UInt(scratch.count), $0.baseAddress, 16, &count)
            }
        } while read < 0 && errno == EINTR
        if read < 0 { return .failure(errno) }
        let received = Array(descriptors.prefix(Int(count)))
        if read == 0 {
            for descriptor in received { close(descriptor) }
            return .endOfFile
        }
        frames.append(UnsafeRawBufferPointer(rebasing: scratch[..<read]))
        return .data(descriptors: received)
    }
}
