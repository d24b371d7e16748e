import EtcdProto
import Foundation
import SwiftProtobuf

extension EtcdClient {
    /// Reads the keys in `keys`.
    public func range(_ keys: KeyRange, options: RangeOptions = RangeOptions(), timeout: Duration? = nil) async throws(EtcdError) -> RangeResult {
        let request = Self.rangeRequest(keys, options)
        return try await call(.range, encoded: { try request.serializedBytes() }, timeout: timeout) { try ResponseWire.decode($0, ResponseWire.range) }
    }

    /// Writes `value` at `key`.
    @discardableResult
    public func put(_ key: String, value: Data, lease: Int64 = 0, previous: Bool = false, timeout: Duration? = nil) async throws(EtcdError) -> PutResult {
        let response: Etcdserverpb_PutResponse = try await call(
            .put, Self.putRequest(key, value: value, lease: lease, previous: previous), timeout: timeout)
        return PutResult(response)
    }

    /// Writes the UTF-8 text `value` at `key`.
    @discardableResult
    public func put(_ key: String, value: String, lease: Int64 = 0, previous: Bool = false, timeout: Duration? = nil) async throws(EtcdError) -> PutResult {
        try await put(key, value: Data(value.utf8), lease: lease, previous: previous, timeout: timeout)
    }

    /// Deletes the keys in `keys`.
    @discardableResult
    public func delete(_ keys: KeyRange, previous: Bool = false, timeout: Duration? = nil) async throws(EtcdError) -> DeleteResult {
        let response: Etcdserverpb_DeleteRangeResponse = try await call(
            .deleteRange, Self.deleteRequest(keys, previous: previous), timeout: timeout)
        return DeleteResult(response)
    }

    /// Compacts the key-value history up to `revision`; `physical` waits until the space
    /// is reclaimed.
    public func compact(revision: Int64, physical: Bool = false) async throws(EtcdError) {
        var request = Etcdserverpb_CompactionRequest()
        request.revision = revision
        request.physical = physical
        let _: Etcdserverpb_CompactionResponse = try await call(.compact, request)
    }

    static func rangeRequest(_ keys: KeyRange, _ options: RangeOptions) -> Etcdserverpb_RangeRequest {
        var request = Etcdserverpb_RangeRequest()
        (request.key, request.rangeEnd) = keys.bounds
        options.apply(to: &request)
        return request
    }

    static func putRequest(_ key: String, value: Data, lease: Int64, previous: Bool) -> Etcdserverpb_PutRequest {
        var request = Etcdserverpb_PutRequest()
        request.key = Data(key.utf8)
        request.value = value
        request.lease = lease
        request.prevKv = previous
        return request
    }

    static func deleteRequest(_ keys: KeyRange, previous: Bool) -> Etcdserverpb_DeleteRangeRequest {
        var request = Etcdserverpb_DeleteRangeRequest()
        (request.key, request.rangeEnd) = keys.bounds
        request.prevKv = previous
        return request
    }
}
