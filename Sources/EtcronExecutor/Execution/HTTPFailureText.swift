import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A failed http attempt's transport error in words, as an operator searches for it:
/// "connection refused", "host not found", "TLS failed (...)", with the underlying error
/// in brackets where it adds anything.
enum HTTPFailureText {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as IOError:
            return describe(errno: error.errnoCode, error)
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first?.error { return describe(first) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "host not found (DNS lookup of \(error.host) failed)" }
            return "cannot connect to \(error.host):\(error.port)"
        case let error as HTTPClientError:
            return describe(error)
        case let error as ChannelError:
            if case .connectTimeout(let amount) = error { return "timed out connecting (after \(amount.nanoseconds / 1_000_000) ms)" }
            return "connection failed [\(error)]"
        case let error as NIOSSLError:
            return "TLS failed (\(error))"
        case let error as BoringSSLError:
            return "TLS failed (\(error))"
        case let error as NIOSSLExtraError:
            return "TLS failed (\(error))"
        case is CancellationError:
            return "cancelled"
        default:
            return String(describing: error)
        }
    }

    private static func describe(errno code: Int32, _ error: IOError) -> String {
        switch code {
        case ECONNREFUSED: return "connection refused (cannot connect to host)"
        case ECONNRESET: return "connection reset by the server"
        case ENETUNREACH, EHOSTUNREACH: return "no route to host"
        case ETIMEDOUT: return "timed out connecting"
        default: return "\(String(cString: strerror(code))) [\(error)]"
        }
    }

    private static func describe(_ error: HTTPClientError) -> String {
        switch error {
        case .connectTimeout: "timed out connecting"
        case .remoteConnectionClosed: "connection lost (closed by the server before the response ended)"
        case .readTimeout: "timed out reading the response"
        case .tlsHandshakeTimeout: "TLS failed (handshake timed out)"
        case .cancelled: "cancelled"
        case .bodyLengthMismatch: "the response body's length did not match its Content-Length"
        default: "\(error)"
        }
    }
}
