/// Reads the transitions of a TZif file (RFC 8536), the format of /usr/share/zoneinfo.
///
/// Uses the 64-bit data of version 2+ files (the 32-bit block of version 1 only when
/// that is all there is) and the POSIX TZ footer for times after the last transition.
/// Leap-second records (the `right/` zones) are refused: cron time is POSIX time.
struct TZif {
    /// Instants (seconds since the epoch) at which the offset changes, ascending.
    var transitions: [Int64]
    /// Offset (seconds east of UTC) in force after each transition.
    var offsets: [Int64]
    /// Offset before the first transition (local time type 0, per RFC 8536).
    var initialOffset: Int64
    /// The footer's rule, if any.
    var rule: PosixTimeZoneRule?

    /// Why a file is not usable TZif.
    struct ReadError: Error {
        var reason: String
    }

    init(_ data: [UInt8]) throws(ReadError) {
        var reader = Reader(data: data)
        let header = try reader.header()
        var use64 = false
        if header.version >= 2 {
            try reader.skip(header.dataLength(timeSize: 4))
            let second = try reader.header()
            guard second.version >= 2 else { throw ReadError(reason: "second header is not version 2+") }
            use64 = true
            self = try Self.body(&reader, header: second, timeSize: 8)
        } else {
            self = try Self.body(&reader, header: header, timeSize: 4)
        }
        if use64 {
            // Footer: "\n<POSIX TZ>\n"; an empty string means "no rule".
            if reader.remaining > 1, try reader.byte() == 0x0A {
                var footer: [UInt8] = []
                while reader.remaining > 0 {
                    let byte = try reader.byte()
                    if byte == 0x0A { break }
                    footer.append(byte)
                }
                if !footer.isEmpty {
                    guard let rule = PosixTimeZoneRule(String(decoding: footer, as: UTF8.self)) else {
                        throw ReadError(reason: "unreadable TZ footer \"\(String(decoding: footer, as: UTF8.self))\"")
                    }
                    self.rule = rule
                }
            }
        }
    }

    private init(transitions: [Int64], offsets: [Int64], initialOffset: Int64) {
        self.transitions = transitions
        self.offsets = offsets
        self.initialOffset = initialOffset
        self.rule = nil
    }

    private static func body(_ reader: inout Reader, header: Header, timeSize: Int) throws(ReadError) -> TZif {
        guard header.leapCount == 0 else { throw ReadError(reason: "leap-second zones are not supported") }
        guard header.typeCount >= 1, header.typeCount <= 256, header.timeCount <= 1_000_000 else {
            throw ReadError(reason: "implausible counts")
        }
        var times: [Int64] = []
        times.reserveCapacity(header.timeCount)
        for _ in 0..<header.timeCount {
            times.append(timeSize == 8 ? try reader.int64() : Int64(try reader.int32()))
        }
        var typeIndexes: [Int] = []
        for _ in 0..<header.timeCount {
            let index = Int(try reader.byte())
            guard index < header.typeCount else { throw ReadError(reason: "time type index out of range") }
            typeIndexes.append(index)
        }
        var typeOffsets: [Int64] = []
        for _ in 0..<header.typeCount {
            let offset = Int64(try reader.int32())
            guard abs(offset) < 26 * 3600 else { throw ReadError(reason: "implausible UTC offset") }
            typeOffsets.append(offset)
            try reader.skip(2)
        }
        try reader.skip(header.characterCount + header.standardCount + header.utCount)
        for i in times.indices.dropFirst() where times[i] <= times[i - 1] {
            throw ReadError(reason: "transitions out of order")
        }
        return TZif(transitions: times, offsets: typeIndexes.map { typeOffsets[$0] }, initialOffset: typeOffsets[0])
    }

    private struct Header {
        var version: Int
        var utCount, standardCount, leapCount, timeCount, typeCount, characterCount: Int

        func dataLength(timeSize: Int) -> Int {
            timeCount * timeSize + timeCount + typeCount * 6 + characterCount + leapCount * (timeSize + 4)
                + standardCount + utCount
        }
    }

    private struct Reader {
        var data: [UInt8]
        var index = 0

        var remaining: Int { data.count - index }

        mutating func byte() throws(ReadError) -> UInt8 {
            guard index < data.count else { throw ReadError(reason: "truncated") }
            defer { index += 1 }
            return data[index]
        }

        mutating func skip(_ count: Int) throws(ReadError) {
            guard count >= 0, count <= remaining else { throw ReadError(reason: "truncated") }
            index += count
        }

        mutating func int32() throws(ReadError) -> Int32 {
            var value: UInt32 = 0
            for _ in 0..<4 { value = value << 8 | UInt32(try byte()) }
            return Int32(bitPattern: value)
        }

        mutating func int64() throws(ReadError) -> Int64 {
            var value: UInt64 = 0
            for _ in 0..<8 { value = value << 8 | UInt64(try byte()) }
            return Int64(bitPattern: value)
        }

        mutating func header() throws(ReadError) -> Header {
            guard remaining >= 44, Array(data[index..<(index + 4)]) == Array("TZif".utf8) else {
                throw ReadError(reason: "not a TZif file")
            }
            index += 4
            let versionByte = try byte()
            let version = versionByte == 0 ? 1 : Int(versionByte) - 0x30
            try skip(15)
            var counts: [Int] = []
            for _ in 0..<6 {
                let count = try int32()
                guard count >= 0 else { throw ReadError(reason: "negative count") }
                counts.append(Int(count))
            }
            return Header(
                version: version, utCount: counts[0], standardCount: counts[1], leapCount: counts[2],
                timeCount: counts[3], typeCount: counts[4], characterCount: counts[5])
        }
    }
}
