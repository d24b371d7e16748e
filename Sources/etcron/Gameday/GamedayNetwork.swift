import Foundation

/// The network of a `--local` sandbox with partitions: each replica in a network
/// namespace of its own, joined to the host by a veth pair (host `10.213.K.1`, replica
/// `10.213.K.2`), etcd listening on the host ends too. Cutting a replica off etcd takes its
/// host end down; healing brings it up. Needs root and iproute2 (`ip netns`).
struct GamedayNetwork {
    /// One replica's link.
    struct Link {
        var namespace: String
        var hostInterface: String
        var hostAddress: String
        var replicaAddress: String
    }

    let links: [Link]

    /// Why namespaces cannot be used here, or nil when they can.
    static func unavailable() -> String? {
        guard getuid() == 0 else { return "network namespaces need root (run etcron gameday as root)" }
        guard FileManager.default.isExecutableFile(atPath: ip) else { return "iproute2 is not installed (apt-get install iproute2)" }
        let probe = "etcron-gd-probe-\(getpid())"
        guard run([ip, "netns", "add", probe]) == nil else { return "`ip netns add` failed: this machine does not allow network namespaces" }
        _ = run([ip, "netns", "del", probe])
        return nil
    }

    static let ip = "/usr/sbin/ip"

    /// Creates `count` namespaces and links.
    static func create(count: Int) throws -> GamedayNetwork {
        let base = Int(getpid() % 80) * 3
        var links: [Link] = []
        for index in 1...count {
            let block = base + index
            let link = Link(
                namespace: "etcron-gd-\(getpid())-\(index)", hostInterface: "gdh\(getpid() % 100_000)x\(index)",
                hostAddress: "10.213.\(block).1", replicaAddress: "10.213.\(block).2")
            let inside = "gdn\(index)"
            for command in [
                [ip, "netns", "add", link.namespace],
                [ip, "link", "add", link.hostInterface, "type", "veth", "peer", "name", inside, "netns", link.namespace],
                [ip, "addr", "add", link.hostAddress + "/30", "dev", link.hostInterface],
                [ip, "link", "set", link.hostInterface, "up"],
                [ip, "-n", link.namespace, "addr", "add", link.replicaAddress + "/30", "dev", inside],
                [ip, "-n", link.namespace, "link", "set", inside, "up"],
                [ip, "-n", link.namespace, "link", "set", "lo", "up"],
            ] {
                if let problem = run(command) {
                    GamedayNetwork(links: links + [link]).remove()
                    throw GamedayFailure("setting up the network namespaces: \(command.joined(separator: " ")): \(problem)")
                }
            }
            links.append(link)
        }
        return GamedayNetwork(links: links)
    }

    /// Cuts (`up` false) or heals a link.
    func set(_ index: Int, up: Bool) throws {
        if let problem = Self.run([Self.ip, "link", "set", links[index].hostInterface, up ? "up" : "down"]) {
            throw GamedayFailure("ip link set \(links[index].hostInterface): \(problem)")
        }
    }

    /// Deletes the namespaces (and with them the links).
    func remove() {
        for link in links {
            _ = Self.run([Self.ip, "netns", "del", link.namespace])
            _ = Self.run([Self.ip, "link", "del", link.hostInterface])
        }
    }

    /// Runs a command to its end; nil on success, else its output.
    @discardableResult
    static func run(_ command: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            return "\(error)"
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
