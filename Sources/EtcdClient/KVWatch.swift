/// A watch's responses, whatever produces them: ``EtcdClient``'s reconnecting stream or
/// ``InMemoryEtcd``'s event log (see ``EtcdKV/watchStream(_:options:)``).
public struct KVWatch: AsyncSequence, Sendable {
    public typealias Element = WatchResponse
    public typealias Failure = any Error

    private let make: @Sendable () -> Iterator

    /// The responses of `base`.
    public init<Base: AsyncSequence & Sendable>(_ base: Base) where Base.Element == WatchResponse {
        make = { Iterator(base.makeAsyncIterator()) }
    }

    public func makeAsyncIterator() -> Iterator {
        make()
    }

    /// Pulls the next response from the underlying sequence.
    public struct Iterator: AsyncIteratorProtocol {
        private let box: any IteratorBox

        init<Base: AsyncIteratorProtocol>(_ base: Base) where Base.Element == WatchResponse {
            box = Box(base)
        }

        public mutating func next() async throws -> WatchResponse? {
            try await box.next()
        }
    }
}

/// One iterator behind a reference, so that the erased iterator stays a value.
private protocol IteratorBox: AnyObject {
    func next() async throws -> WatchResponse?
}

private final class Box<Base: AsyncIteratorProtocol>: IteratorBox where Base.Element == WatchResponse {
    private var base: Base

    init(_ base: Base) {
        self.base = base
    }

    func next() async throws -> WatchResponse? {
        try await base.next()
    }
}

extension EtcdClient: EtcdKV {
    public func watchStream(_ keys: KeyRange, options: WatchOptions) -> KVWatch {
        KVWatch(watch(keys, options: options))
    }
}
